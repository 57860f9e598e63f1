import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, children, moRef, readSoapResponse, soapEnvelope, text, VsphereFault } from './soap-envelope.js';
import { copyElement } from './xml-subtree.js';

const ENV = (body: string, extra = '') => `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"${extra}><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

test('requests escape every value; responses give MoRefs, lists and xsi:type whatever the prefix', () => {
  const xml = soapEnvelope('Login', { type: 'SessionManager', value: 'SessionManager' }, [{ name: 'password', text: 'a<b&"c' }]);
  assert.match(xml, /<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager<\/_this><password>a&lt;b&amp;&quot;c<\/password><\/Login>/);
  const r = readSoapResponse(ENV('<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-1</obj>'
    + '<propSet><name>config.hardware.device</name><val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ArrayOfVirtualDevice">'
    + '<VirtualDevice XMLSchema-instance:type="VirtualDisk"><key>2000</key><capacityInKB>65536</capacityInKB></VirtualDevice></val></propSet></objects></returnval></RetrievePropertiesExResponse>'), 200);
  const objects = child(child(r, 'returnval'), 'objects');
  assert.deepEqual(moRef(child(objects, 'obj')), { type: 'VirtualMachine', value: 'vm-1' });
  const devices = children(child(child(objects, 'propSet'), 'val'), 'VirtualDevice');
  assert.equal(devices[0]['@_xsi:type'], 'VirtualDisk');
  assert.equal(text(child(devices[0], 'capacityInKB')), '65536');
});

test('a SOAP fault becomes a VsphereFault with vSphere\'s type and text; a non-SOAP answer keeps its HTTP status', () => {
  const fault = ENV('<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Cannot complete login due to an incorrect user name or password.</faultstring><detail><InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault></detail></soapenv:Fault>');
  assert.throws(() => readSoapResponse(fault, 500), (e: unknown) => e instanceof VsphereFault && e.faultType === 'InvalidLogin' && e.message === 'Cannot complete login due to an incorrect user name or password.');
  assert.throws(() => readSoapResponse('<html><body>502 Bad Gateway</body></html>', 502), (e: Error & { statusCode?: number }) => e.statusCode === 502 && /HTTP 502 without a SOAP envelope: 502 Bad Gateway/.test(e.message));
});

test('copyElement re-serialises a typed subtree in order, carrying the ancestors\' namespace declarations', () => {
  const xml = ENV('<CreateImportSpecResponse xmlns="urn:vim25"><returnval><importSpec xsi:type="VirtualMachineImportSpec"><configSpec><name>a &amp; b</name>'
    + '<extraConfig><key>k</key><value xsi:type="xsd:string">v</value></extraConfig></configSpec><resPoolEntity type="ResourcePool">resgroup-1</resPoolEntity></importSpec></returnval></CreateImportSpecResponse>');
  const spec = copyElement(xml, ['Envelope', 'Body', 'CreateImportSpecResponse', 'returnval', 'importSpec'], 'spec')!;
  assert.match(spec, /^<spec [^>]*xmlns:xsd="http:\/\/www.w3.org\/2001\/XMLSchema"/);
  assert.match(spec, /xmlns="urn:vim25"/);
  assert.match(spec, /xsi:type="VirtualMachineImportSpec"><configSpec><name>a &amp; b<\/name><extraConfig><key>k<\/key><value xsi:type="xsd:string">v<\/value><\/extraConfig><\/configSpec><resPoolEntity type="ResourcePool">resgroup-1<\/resPoolEntity><\/spec>$/);
  assert.equal(copyElement(xml, ['Envelope', 'Body', 'Nope'], 'spec'), undefined);
});
