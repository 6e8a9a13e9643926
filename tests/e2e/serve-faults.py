#!/usr/bin/env python3
"""Hostile clients against `kanon serve` (tests/e2e/t872-serve-faults.sh), all at once, while
a well-behaved client (the apiserver's part: one keep-alive mTLS connection, a 20-event EventList
every 0.2 s) keeps posting. Prints one JSON object with what each side saw.

usage: serve-faults.py PORT PKI-DIR CORPUS-FILE SECONDS TIMEOUT MAX-CONNECTIONS

  loris_http     mTLS connections that send a request's headers one byte per second
  loris_tls      TCP connections that send a TLS ClientHello one byte per second
  flood          2 x MAX-CONNECTIONS TCP connections opened and held silent
  cut            POSTs whose Content-Length is larger than what is sent, then closed
  noread         a connection that pipelines POSTs and never reads the answers
"""
import json
import socket
import ssl
import sys
import threading
import time
import uuid

PORT = int(sys.argv[1])
PKI = sys.argv[2]
CORPUS = sys.argv[3]
SECONDS = float(sys.argv[4])
TIMEOUT = float(sys.argv[5])
MAXCONN = int(sys.argv[6])
HOST = "127.0.0.1"

EVENTS = []
for line in open(CORPUS, encoding="utf-8"):
    line = line.strip()
    if line:
        EVENTS.append(json.loads(line))
res = {}
lock = threading.Lock()
stop = threading.Event()


def ctx():
    c = ssl.create_default_context(cafile=PKI + "/ca.pem")
    c.load_cert_chain(PKI + "/client.pem", PKI + "/client.key")
    return c


def tls_conn():
    s = socket.create_connection((HOST, PORT), timeout=30)
    return ctx().wrap_socket(s, server_hostname=HOST)


def body(n):
    items = []
    for i in range(n):
        e = dict(EVENTS[i % len(EVENTS)])
        e["auditID"] = str(uuid.uuid4())
        items.append(e)
    return json.dumps({"kind": "EventList", "apiVersion": "audit.k8s.io/v1",
                       "metadata": {}, "items": items}).encode()


def read_response(f):
    """status code and body of one response on a file object"""
    status = f.readline()
    if not status:
        raise ConnectionError("closed")
    code = int(status.split()[1])
    length = 0
    while True:
        h = f.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode().partition(":")
        if k.strip().lower() == "content-length":
            length = int(v)
    return code, f.read(length)


def good():
    """the well-behaved client: one keep-alive connection, reconnecting only if it must"""
    lat, accepted, errors, reconnects, codes = [], 0, [], 0, {}
    s = f = None
    t_end = time.monotonic() + SECONDS
    while time.monotonic() < t_end:
        b = body(20)
        req = (b"POST /audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: %d\r\n\r\n" % len(b)) + b
        t0 = time.monotonic()
        try:
            if s is None:
                s = tls_conn()
                f = s.makefile("rb")
                reconnects += 1
            s.sendall(req)
            code, _ = read_response(f)
            lat.append(time.monotonic() - t0)
            codes[code] = codes.get(code, 0) + 1
            if code == 200:
                accepted += 20
        except (OSError, ConnectionError, ValueError) as e:
            errors.append("%.1fs: %s" % (time.monotonic() - t0, e))
            s = None
        time.sleep(0.2)
    if s:
        s.close()
    lat.sort()
    with lock:
        res["good"] = {"requests": len(lat), "accepted_events": accepted, "errors": errors,
                       "connections": reconnects, "codes": codes,
                       "max_latency_s": round(lat[-1], 3) if lat else None,
                       "p99_latency_s": round(lat[int(len(lat) * 0.99)], 3) if lat else None}


def held_until_closed(s, send, what):
    """send() bytes once a second until the server closes s; seconds it stayed open"""
    t0 = time.monotonic()
    try:
        s.settimeout(1.0)
        while not stop.is_set() and time.monotonic() - t0 < SECONDS:
            if not send():
                break
            try:
                if s.recv(4096) == b"":
                    break  # closed by the server
            except socket.timeout:
                pass
            except ssl.SSLWantReadError:
                pass
    except (OSError, ssl.SSLError):
        pass
    finally:
        s.close()
    return time.monotonic() - t0


def loris_http(out):
    try:
        s = tls_conn()
    except OSError as e:
        out.append("connect: %s" % e)
        return
    msg = iter(b"POST /audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"X-Padding: " + b"a" * 4096)

    def send():
        try:
            s.send(bytes([next(msg)]))
            return True
        except (StopIteration, OSError):
            return False
    out.append(held_until_closed(s, send, "loris_http"))


def loris_tls(out):
    try:
        s = socket.create_connection((HOST, PORT), timeout=10)
    except OSError as e:
        out.append("connect: %s" % e)
        return
    # the start of a TLS record carrying a ClientHello, then padding: never a whole hello
    msg = iter(bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03])
               + b"\x00" * 4096)

    def send():
        try:
            s.send(bytes([next(msg)]))
            return True
        except (StopIteration, OSError):
            return False
    out.append(held_until_closed(s, send, "loris_tls"))


def wait_closed(socks, t0):
    """seconds (since t0) at which the server closed each socket (None: still open at the end)"""
    import select
    when = {sk: None for sk in socks}
    open_ = set(socks)
    while open_ and not stop.is_set() and time.monotonic() - t0 < SECONDS:
        r, _, _ = select.select(list(open_), [], [], 0.2)
        for sk in r:
            try:
                data = sk.recv(65536)
            except (OSError, ssl.SSLError):
                data = b""
            if not data:
                when[sk] = round(time.monotonic() - t0, 1)
                open_.discard(sk)
    for sk in socks:
        sk.close()
    return [when[sk] for sk in socks]


def flood(out):
    """2 x --max-connections silent TCP connections, held: all must be closed by the server"""
    socks = []
    t0 = time.monotonic()
    for _ in range(2 * MAXCONN):
        try:
            socks.append(socket.create_connection((HOST, PORT), timeout=2))
        except OSError:
            out["not_connected"] = out.get("not_connected", 0) + 1
    out["opened"] = len(socks)
    closed = wait_closed(socks, t0)
    out["closed_by_server"] = sum(1 for c in closed if c is not None)
    out["last_closed_s"] = max((c for c in closed if c is not None), default=None)


def cut(out):
    for i in range(20):
        try:
            s = tls_conn()
            b = body(50)
            s.sendall(b"POST /audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\n\r\n" % (len(b) + 100000) + b)
            time.sleep(0.05)
            s.close()
            out["sent"] = out.get("sent", 0) + 1
            out["events_in_cut_bodies"] = out.get("events_in_cut_bodies", 0) + 50
        except OSError as e:
            out.setdefault("errors", []).append(str(e))
        time.sleep(0.1)


def noread(out):
    """pipelined POSTs (malformed bodies: 400, no event kept) on a connection that never reads
    its answers, with a tiny receive buffer: the answers pile up until the server's writes
    block; the server must give up on it (its timeout), and serve the others meanwhile"""
    try:
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.settimeout(10)
        raw.connect((HOST, PORT))
        s = ctx().wrap_socket(raw, server_hostname=HOST)
    except OSError as e:
        out["error"] = str(e)
        return
    req = (b"POST /audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Content-Length: 1\r\n\r\n{")
    s.settimeout(1)
    sent = 0
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < SECONDS and sent < 200000:
            s.sendall(req * 50)
            sent += 50
    except (OSError, ssl.SSLError):
        pass
    out["requests_written"] = sent
    out["writes_blocked_s"] = round(time.monotonic() - t0, 1)
    # the answers are still unread: now wait for the server to close
    s.settimeout(None)
    out["closed_s"] = wait_closed([s], t0)[0]


def main():
    lh, lt, fl, ct, nr = [], [], {}, {}, {}
    threads = [threading.Thread(target=good)]
    threads += [threading.Thread(target=loris_http, args=(lh,)) for _ in range(3)]
    threads += [threading.Thread(target=loris_tls, args=(lt,)) for _ in range(3)]
    threads += [threading.Thread(target=flood, args=(fl,)),
                threading.Thread(target=cut, args=(ct,)),
                threading.Thread(target=noread, args=(nr,))]
    threads[0].start()
    time.sleep(0.5)  # the good client holds its connection before the flood
    # the slow-loris clients next, before the flood: a connection the flood
    # keeps in the listen backlog is not the server's yet, and its deadline
    # starts when the server accepts it (the flood's slots free up at 2 x
    # --timeout), which the client cannot see
    for t in threads[1:7]:
        t.start()
    time.sleep(0.5)
    for t in threads[7:]:
        t.start()
    threads[0].join()
    stop.set()
    for t in threads[1:]:
        t.join()
    res["loris_http_open_s"] = [round(x, 1) if isinstance(x, float) else x for x in lh]
    res["loris_tls_open_s"] = [round(x, 1) if isinstance(x, float) else x for x in lt]
    res["flood"] = fl
    res["cut"] = ct
    res["noread"] = nr
    print(json.dumps(res, sort_keys=True))


main()
