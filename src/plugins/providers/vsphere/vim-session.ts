import { child, moRef, requireRef, text, textPart, VsphereFault, type MoRef } from './soap-envelope.js';
import type { VimClient } from './vim-client.js';

/** The managed objects a push uses, from the ServiceInstance's content. */
export interface ServiceContent {
  rootFolder: MoRef;
  propertyCollector: MoRef;
  searchIndex: MoRef;
  sessionManager: MoRef;
  ovfManager: MoRef;
  fileManager?: MoRef;
  apiType: string;
  apiVersion: string;
  fullName: string;
}

const SERVICE_INSTANCE: MoRef = { type: 'ServiceInstance', value: 'ServiceInstance' };

export async function retrieveServiceContent(vim: VimClient): Promise<ServiceContent> {
  const { response } = await vim.call('RetrieveServiceContent', SERVICE_INSTANCE);
  const r = child(response, 'returnval');
  const about = child(r, 'about');
  return {
    rootFolder: requireRef(child(r, 'rootFolder'), 'rootFolder'),
    propertyCollector: requireRef(child(r, 'propertyCollector'), 'propertyCollector'),
    searchIndex: requireRef(child(r, 'searchIndex'), 'searchIndex'),
    sessionManager: requireRef(child(r, 'sessionManager'), 'sessionManager'),
    ovfManager: requireRef(child(r, 'ovfManager'), 'ovfManager (an ESXi host or vCenter without OVF support?)'),
    fileManager: moRef(child(r, 'fileManager')),
    apiType: text(child(about, 'apiType')) ?? '',
    apiVersion: text(child(about, 'apiVersion')) ?? '',
    fullName: text(child(about, 'fullName')) ?? '',
  };
}

/**
 * SessionManager.Login; vSphere answers with the `vmware_soap_session` cookie the client keeps. A
 * wrong user or password is vSphere's InvalidLogin fault, reported with vSphere's own text.
 */
export async function login(vim: VimClient, content: ServiceContent, username: string, password: string): Promise<void> {
  try {
    await vim.call('Login', content.sessionManager, [textPart('userName', username), textPart('password', password)]);
  } catch (e) {
    // vCenter's own text already says it; simulators and proxies may say less ("Login failure").
    if (e instanceof VsphereFault && e.faultType === 'InvalidLogin' && !/incorrect user name or password/i.test(e.message)) {
      throw new VsphereFault(e.faultType, `Cannot complete login due to an incorrect user name or password (vSphere said: ${e.message})`, e.httpStatus);
    }
    throw e;
  }
  if (!vim.sessionCookie) throw new Error('vSphere accepted the login but set no vmware_soap_session cookie');
}

/** Ends the session (best effort: a push's result does not depend on it). */
export async function logout(vim: VimClient, content: ServiceContent): Promise<void> {
  await vim.call('Logout', content.sessionManager, [], null).catch(() => undefined);
}
