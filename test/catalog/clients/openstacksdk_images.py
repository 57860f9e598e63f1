#!/usr/bin/python3
"""Drives our Nova images API with Debian's openstacksdk; prints one JSON report for the test to check."""
import json
import sys
import warnings

warnings.filterwarnings("ignore")  # 0.101 emits deprecation warnings
import openstack  # noqa: E402
from openstack import exceptions  # noqa: E402

endpoint, token = sys.argv[1], sys.argv[2]
if token:
    # keystoneauth's admin_token plugin sends a static X-Auth-Token, which our nova_tokens table checks
    conn = openstack.connect(auth_type='admin_token', auth={'token': token, 'endpoint': endpoint},
                             compute_endpoint_override=endpoint)
else:
    conn = openstack.connect(auth_type='none', compute_endpoint_override=endpoint)
report = {}
report['list'] = [i.id for i in conn.compute.images(details=False)]
detail = list(conn.compute.images(details=True))
report['detail'] = [{'id': i.id, 'name': i.name, 'status': i.status, 'progress': i.progress, 'size': i.size,
                     'min_disk': i.min_disk, 'metadata': i.metadata} for i in detail]
# limit=1 makes the SDK follow images_links page by page
report['paged'] = [i.id for i in conn.compute.images(details=True, limit=1)]
report['by_name'] = [i.id for i in conn.compute.images(name=detail[0].name)]
report['status_saving'] = [i.id for i in conn.compute.images(status='SAVING')]
target = detail[0].id
img = conn.compute.get_image(target)
report['get'] = {'id': img.id, 'name': img.name, 'created_at': img.created_at, 'links': img.links}
report['find'] = conn.compute.find_image(target).id
conn.compute.set_image_metadata(img, colour='blue', size_class='large')
report['after_set'] = dict(conn.compute.get_image_metadata(img).metadata)  # copy: the SDK mutates it later
conn.compute.delete_image_metadata(img, ['colour'])
report['after_delete_key'] = dict(conn.compute.get_image_metadata(img).metadata)
try:
    conn.compute.get_image('00000000-0000-0000-0000-000000000000')
    report['missing'] = 'found?'
except exceptions.ResourceNotFound as e:
    report['missing'] = 'ResourceNotFound: ' + str(e.details or e)
conn.compute.delete_image(target)
report['after_delete'] = [i.id for i in conn.compute.images()]
print(json.dumps(report))
