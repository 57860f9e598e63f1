#!/usr/bin/python3
"""Reads a Glance image with the real python-glanceclient library (v2), printing it as JSON.

argv: endpoint image_id mode [user project | auth_url user password project]; mode is trusted,
keystone (a keystoneauth1 v3 password session) or noauth.
"""
import json
import sys

from glanceclient import Client

endpoint, image_id, mode = sys.argv[1:4]
if mode == 'trusted':
    headers = {'X-Identity-Status': 'Confirmed', 'X-User-Id': sys.argv[4], 'X-Project-Id': sys.argv[5], 'X-Roles': 'admin'}
    client = Client('2', endpoint=endpoint, token='unused', identity_headers=headers)
elif mode == 'keystone':
    from keystoneauth1 import session
    from keystoneauth1.identity import v3
    auth = v3.Password(auth_url=sys.argv[4], username=sys.argv[5], password=sys.argv[6], project_name=sys.argv[7],
                       user_domain_name='Default', project_domain_name='Default')
    client = Client('2', endpoint=endpoint, session=session.Session(auth=auth))
else:
    client = Client('2', endpoint=endpoint, token='unused')
try:
    image = client.images.get(image_id)
except Exception as e:  # a missing image: report it as data, the test decides
    print(json.dumps({'error': type(e).__name__, 'message': str(e)}))
    sys.exit(0)
print(json.dumps({k: image.get(k) for k in ('id', 'name', 'status', 'size', 'checksum', 'os_hash_algo', 'os_hash_value',
                                             'disk_format', 'container_format', 'visibility', 'owner', 'min_disk', 'min_ram',
                                             'imagefactory_target_image_id')}))
