"""Send mail to a mailwire server with Python's smtplib (peer_test.go).

usage: smtplib_send.py HOST PORT MODE [CAFILE | USER PASS]
MODE: plain, starttls (CAFILE trusts the test certificate), auth-plain,
auth-login. Sends one EmailMessage with send_message (To and Cc give three
recipients) and one raw message whose lines need dot-stuffing, then prints
JSON: the exact octets smtplib handed to DATA (before its own dot-stuffing),
base64-encoded, so the Go test can compare them with what the server got.
"""
import base64
import json
import smtplib
import ssl
import sys
from email.message import EmailMessage


class RecordingSMTP(smtplib.SMTP):
    """Records the message octets each DATA command carries."""

    sent = []

    def data(self, msg):
        RecordingSMTP.sent.append(msg if isinstance(msg, bytes) else msg.encode("ascii"))
        return super().data(msg)


def main():
    host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = RecordingSMTP(host, port, local_hostname="python.test", timeout=30)
    s.ehlo()
    if mode == "starttls":
        s.starttls(context=ssl.create_default_context(cafile=sys.argv[4]))
        s.ehlo()
    if mode in ("auth-plain", "auth-login"):
        s.user, s.password = sys.argv[4], sys.argv[5]
        if mode == "auth-plain":
            s.auth("PLAIN", s.auth_plain)
        else:
            s.auth("LOGIN", s.auth_login, initial_response_ok=False)

    msg = EmailMessage()
    msg["From"] = "Alice <alice@x.test>"
    msg["To"] = "bob@y.test, carol@y.test"
    msg["Cc"] = "dave@z.test"
    msg["Subject"] = "smtplib " + mode
    msg.set_content("Hello from smtplib.\n.A line with a leading dot\nsecond paragraph\n")
    refused = s.send_message(msg)
    refused2 = s.sendmail("", ["bob@y.test"], b"Subject: raw\r\n\r\n.\r\n..two dots\r\nend\r\n")
    s.quit()
    print(json.dumps({
        "sent": [base64.b64encode(m).decode("ascii") for m in RecordingSMTP.sent],
        "refused": len(refused) + len(refused2),
    }))


if __name__ == "__main__":
    main()
