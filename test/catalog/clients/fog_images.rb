# Drives our Nova images API with Debian's fog-openstack; prints one JSON report for the test to check.
require 'json'
require 'fog/openstack'

endpoint, token = ARGV
compute = Fog::OpenStack::Compute.new(
  openstack_auth_url: "#{endpoint}/unused",
  openstack_management_url: "#{endpoint}/v2.1",
  openstack_auth_token: token
)
report = {}
report['list'] = compute.list_images.body['images'].map { |i| i['id'] }
page = compute.list_images_detail('limit' => 2).body
report['detail'] = page['images'].map { |i| { 'id' => i['id'], 'name' => i['name'], 'status' => i['status'] } }
report['next'] = page['images_links']&.first&.fetch('href')
id = report['list'].first
report['get'] = compute.get_image_details(id).body['image']['name']
compute.update_metadata('images', id, 'colour' => 'blue')
report['list_metadata'] = compute.list_metadata('images', id).body['metadata']
report['get_metadata'] = compute.get_metadata('images', id, 'colour').body['meta']
compute.set_metadata('images', id, 'only' => 'this')
report['after_set'] = compute.list_metadata('images', id).body['metadata']
compute.delete_metadata('images', id, 'only')
report['after_delete_key'] = compute.list_metadata('images', id).body['metadata']
report['model'] = compute.images.all.map(&:name).sort
report['delete_status'] = compute.delete_image(id).status
begin
  compute.get_image_details(id)
  report['after_delete'] = 'still there'
rescue Fog::OpenStack::Compute::NotFound => e
  report['after_delete'] = 'NotFound'
end
puts JSON.generate(report)
