"""Send a message with smtplib, read it back with poplib and imaplib.

usage: pythonpeer.py SMTP_PORT POP3_PORT IMAP_PORT MESSAGE_FILE OUT_DIR

Writes OUT_DIR/pop3.eml and OUT_DIR/imap.eml: the message as each
protocol served it, byte for byte.
"""
import faulthandler
import imaplib
import os
import poplib
import smtplib
import sys

# A hang shows where it is stuck before the test kills the process.
faulthandler.dump_traceback_later(20, exit=True)

smtp_port, pop3_port, imap_port = (int(p) for p in sys.argv[1:4])
message = open(sys.argv[4], "rb").read()
out = sys.argv[5]

with smtplib.SMTP("127.0.0.1", smtp_port) as s:
    s.ehlo("python.example.org")
    s.sendmail("carol@example.org", ["bob@example.test"], message)

p = poplib.POP3("127.0.0.1", pop3_port)
p.user("bob")
p.pass_("hunter2")
_, lines, _ = p.retr(1)
p.quit()
# poplib strips the CRLF of each line and undoes dot-stuffing.
open(os.path.join(out, "pop3.eml"), "wb").write(b"\r\n".join(lines) + b"\r\n")

m = imaplib.IMAP4("127.0.0.1", imap_port)
m.login("bob@example.test", "hunter2")
m.select("INBOX")
typ, data = m.fetch("1", "(BODY.PEEK[])")
assert typ == "OK", typ
open(os.path.join(out, "imap.eml"), "wb").write(data[0][1])
m.logout()
