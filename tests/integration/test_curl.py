"""curl, the other client the issue names, against the real server.

Runs the curl binary (Debian's, installed by scripts/install-deps) with the
exact command lines README.md shows: certificate pinned with --cacert,
bearer token, TAXII media types; a POST from a file, then GET with filters
(-g, since match[...] holds brackets curl would otherwise glob), then the
status.  Checks status codes, headers and bodies as curl reports them.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

import harness as h

CURL = shutil.which("curl")
TAXII = "application/taxii+json;version=2.1"


@unittest.skipIf(CURL is None, "curl is not installed")
class CurlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = h.Node()
        cls.coll = cls.node.add_collection("curl")
        cls.tmp = tempfile.mkdtemp(prefix="entente-curl-")

    @classmethod
    def tearDownClass(cls):
        cls.node.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def curl(self, *args):
        hdr = os.path.join(self.tmp, "headers")
        cmd = [CURL, "-sS", "-g", "--cacert",
               os.path.join(self.node.dir, "tls.crt"),
               "-H", "Authorization: Bearer " + self.node.admin_token,
               "-H", "Accept: " + TAXII, "-D", hdr,
               "-w", "\n%{http_code}"] + list(args)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        body, _, code = r.stdout.rpartition("\n")
        with open(hdr) as f:
            headers = {}
            for line in f.read().splitlines()[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
        return int(code), headers, body

    def test_post_get_status(self):
        objs = h.make_indicators(3, seed=4242)
        path = os.path.join(self.tmp, "envelope.json")
        with open(path, "w") as f:
            json.dump({"objects": objs}, f)
        base = self.node.url + "api/collections/%s/" % self.coll
        code, hdr, body = self.curl(
            "-H", "Content-Type: " + TAXII, "--data-binary", "@" + path,
            base + "objects/")
        self.assertEqual(code, 202, body)
        self.assertTrue(h.is_taxii_media(hdr["content-type"]))
        st = json.loads(body)
        self.assertEqual(st["success_count"], 3, body)

        code, hdr, body = self.curl(
            base + "objects/?match[type]=indicator&limit=2")
        self.assertEqual(code, 200, body)
        env = json.loads(body)
        self.assertEqual(len(env["objects"]), 2)
        self.assertTrue(env["more"])
        self.assertIn("next", env)
        self.assertIn("x-taxii-date-added-first", hdr)
        self.assertIn("x-taxii-date-added-last", hdr)
        code, _, body = self.curl(
            base + "objects/?match[type]=indicator&limit=2&next=" +
            env["next"])
        self.assertEqual(code, 200, body)
        rest = json.loads(body)["objects"]
        got = {o["id"] for o in env["objects"] + rest}
        self.assertEqual(got, {o["id"] for o in objs})

        code, _, body = self.curl(self.node.url + "api/status/%s/" %
                                  st["id"])
        self.assertEqual(code, 200, body)
        self.assertEqual(json.loads(body)["id"], st["id"])

    def test_errors_are_taxii(self):
        code, hdr, body = self.curl(
            self.node.url + "api/collections/%s/objects/?limit=abc" %
            self.coll)
        self.assertEqual(code, 400)
        self.assertTrue(h.is_taxii_media(hdr["content-type"]))
        self.assertEqual(json.loads(body)["http_status"], "400")


if __name__ == "__main__":
    unittest.main()
