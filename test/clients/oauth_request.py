#!/usr/bin/python3
"""A real OAuth 1.0a client (requests + requests_oauthlib, as Image Factory's e2eTest uses):
two-legged HMAC-SHA1. Usage: oauth_request.py METHOD URL KEY SECRET [json|form BODY]. Prints status and body."""
import json, sys
import requests
from requests_oauthlib import OAuth1

method, url, key, secret = sys.argv[1:5]
kind = sys.argv[5] if len(sys.argv) > 5 else None
body = sys.argv[6] if len(sys.argv) > 6 else None
auth = OAuth1(key, client_secret=secret, signature_method="HMAC-SHA1", signature_type="AUTH_HEADER")
kwargs = {"auth": auth, "verify": False, "headers": {"accept": "application/json"}}
if kind == "json":
    kwargs["json"] = json.loads(body)
elif kind == "form":
    kwargs["data"] = json.loads(body)
r = requests.request(method, url, **kwargs)
print(r.status_code)
print(r.text)
