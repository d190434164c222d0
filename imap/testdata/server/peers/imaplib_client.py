"""Drives mailwire's IMAP server with Python's imaplib and checks the values
it gets back, not just that each command said OK. Usage: imaplib_client.py
PORT. Prints "PASS" at the end; any failed check raises."""
import imaplib
import re
import socket
import sys
import time

port = int(sys.argv[1])
MSG = (b"From: Alice <alice@example.org>\r\nTo: bob@example.org\r\n"
       b"Subject: imaplib test\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n"
       b"Message-ID: <py1@example.org>\r\n\r\nHello from Python, quarterly numbers.\r\n")


def ok(res, what):
    typ, data = res
    assert typ == "OK", (what, typ, data)
    return data


m = imaplib.IMAP4("127.0.0.1", port)
assert "IMAP4REV1" in m.capabilities, m.capabilities
ok(m.login("alice", "pass"), "login")
caps = ok(m.capability(), "capability")[0].split()
assert b"UIDPLUS" in caps and b"MOVE" in caps and b"LOGINDISABLED" not in caps, caps

# LIST, CREATE, SUBSCRIBE, LSUB, STATUS
ok(m.create("Work/Reports"), "create")
data = ok(m.list(), "list")
names = [re.search(rb'"/" (.*)$', d).group(1) for d in data]
assert names == [b"INBOX", b"Work", b"Work/Reports"], names
assert b"\\HasChildren" in data[1], data
ok(m.subscribe("Work"), "subscribe")
data = ok(m.lsub(), "lsub")
assert len(data) == 1 and data[0].endswith(b"Work"), data

# APPEND with flags and date; APPENDUID
typ, data = m.append("INBOX", r"(\Flagged)", imaplib.Time2Internaldate(time.time()), MSG)
assert typ == "OK" and b"APPENDUID" in data[0], data
m.append("INBOX", None, None, MSG.replace(b"imaplib test", b"second"))
data = ok(m.status("INBOX", "(MESSAGES UNSEEN UIDNEXT)"), "status")
assert b"MESSAGES 2" in data[0] and b"UNSEEN 2" in data[0] and b"UIDNEXT 3" in data[0], data

# SELECT, FETCH, UID FETCH
data = ok(m.select("INBOX"), "select")
assert data == [b"2"], data
typ, data = m.fetch("1", "(UID FLAGS RFC822.SIZE ENVELOPE)")
assert typ == "OK", data
line = data[0]
assert b"UID 1" in line and b"\\Flagged" in line and b"RFC822.SIZE %d" % len(MSG) in line, line
assert b'"imaplib test"' in line and b'("Alice" NIL "alice" "example.org")' in line, line
typ, data = m.uid("FETCH", "2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
assert typ == "OK" and data[0][1] == b"Subject: second\r\n\r\n", data
typ, data = m.fetch("1", "(RFC822)")
assert data[0][1] == MSG, data
typ, data = m.fetch("1", "(FLAGS)")
assert b"\\Seen" in data[0], data  # RFC822 set \Seen
typ, data = m.fetch("2", "(BODY.PEEK[TEXT]<6.6>)")
assert data[0][1] == b"from P", data

# SEARCH
assert ok(m.search(None, "ALL"), "search") == [b"1 2"]
assert ok(m.search(None, "SUBJECT", "second"), "search") == [b"2"]
assert ok(m.search(None, "UNSEEN"), "search") == [b"2"]
assert ok(m.search(None, "BODY", "QUARTERLY"), "search") == [b"1 2"]
assert ok(m.search(None, "OR", "FLAGGED", "SUBJECT", "second"), "search") == [b"1 2"]
assert ok(m.uid("SEARCH", "NOT", "SEEN"), "uid search") == [b"2"]
assert ok(m.search(None, "FROM", "alice", "LARGER", "10"), "search") == [b"1 2"]

# STORE, COPY, MOVE, EXPUNGE
typ, data = m.store("2", "+FLAGS", r"(\Deleted $Work)")
assert typ == "OK" and b"$Work" in data[0] and b"\\Deleted" in data[0], data
typ, data = m.copy("1", "Work")
assert typ == "OK" and b"COPYUID" in data[0], data
data = ok(m.expunge(), "expunge")
assert data == [b"2"], data
typ, data = m.uid("MOVE", "1", "Work/Reports")
assert typ == "OK", data
data = ok(m.status("Work", "(MESSAGES)"), "status")
assert b"MESSAGES 1" in data[0], data
data = ok(m.select("Work/Reports"), "select")
assert data == [b"1"], data
ok(m.close(), "close")

# IDLE (raw: imaplib has it only from Python 3.14) sees a delivery made
# by a second connection at once.
ok(m.select("INBOX"), "select")
other = imaplib.IMAP4("127.0.0.1", port)
other.login("alice", "pass")
tag = m._new_tag()
m.send(tag + b" IDLE\r\n")
assert m.readline().startswith(b"+"), "idle continuation"
other.append("INBOX", None, None, MSG)
m.sock.settimeout(5)
line = m.readline()
assert re.match(rb"\* 1 EXISTS", line), line
assert m.readline().startswith(b"* 1 RECENT")
m.send(b"DONE\r\n")
line = m.readline()
assert line.startswith(tag + b" OK"), line
other.logout()

ok(m.rename("Work", "Projects"), "rename")
data = ok(m.list('""', "Projects*"), "list")
assert len(data) == 2, data
ok(m.delete("Projects/Reports"), "delete")
m.logout()
print("PASS")
