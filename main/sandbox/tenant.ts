/** The sandbox tenant's identity (own module so the persona list and the directory can both use it without a cycle). */
export const SANDBOX_TENANT_ID = '5e1f0c3a-7d2b-4c8e-9a41-0b6d3f2e9c11';
export const SANDBOX_TENANT_DOMAIN = 'nordlys.example';
