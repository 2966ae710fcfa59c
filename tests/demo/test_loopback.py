"""demo.loopback's server: exact paths before prefixes, the longest prefix first, 404 elsewhere, requests
recorded, HEAD without a body, and no Content-Length on a 304."""

from __future__ import annotations

import httpx

from demo.loopback import LoopbackServer, Reply


def test_routes_records_and_replies():
    with LoopbackServer() as srv, httpx.Client() as client:
        srv.route("/a/*", lambda req: Reply(200, "prefix a"))
        srv.route("/a/b/*", lambda req: Reply(200, "prefix a/b"))
        srv.route("/a/b/c", lambda req: Reply.json({"q": req.query, "body": req.body.decode()}))
        srv.route("/same", lambda req: Reply(304, b"", {"ETag": '"x"'}))
        assert client.get(srv.url("/a/x")).text == "prefix a"
        assert client.get(srv.url("/a/b/x")).text == "prefix a/b"
        assert client.post(srv.url("/a/b/c?k=v&empty="), content=b"hi").json() == {"q": {"k": "v", "empty": ""},
                                                                                   "body": "hi"}
        missing = client.get(srv.url("/b"))
        assert missing.status_code == 404
        head = client.head(srv.url("/a/b/x"))
        assert head.status_code == 200 and head.headers["content-length"] == "10" and head.content == b""
        same = client.get(srv.url("/same"))
        assert same.status_code == 304 and "content-length" not in same.headers
        assert [(r.method, r.path) for r in srv.requests] == [
            ("GET", "/a/x"), ("GET", "/a/b/x"), ("POST", "/a/b/c"), ("GET", "/b"), ("HEAD", "/a/b/x"), ("GET", "/same")]
        assert srv.requests_for("/a/b/c")[0].headers["content-length"] == "2" and srv.hits == 6
    assert srv.requests_for("/b")[0].t <= srv.requests_for("/same")[0].t
