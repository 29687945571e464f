/** The SDK's provision-record methods (issue 6); `createClient` spreads these in. Not built yet. */
export interface SdkHttp {
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ProvisionMethods {}
export function provisionMethods(_http: SdkHttp): ProvisionMethods {
  return {};
}
