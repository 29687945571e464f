/** Staff roles. admin: everything; officer: decides requests, publishes, incidents; staff: handles requests; auditor: reads the audit log and records. */
export type StaffRole = 'admin' | 'officer' | 'staff' | 'auditor';
export const staffRoles: readonly StaffRole[] = ['admin', 'officer', 'staff', 'auditor'];

/** What a staff member may do. Routes ask for a permission; the table below says which roles hold it. */
export type StaffPermission =
  | 'requests.view'
  | 'requests.enter'
  | 'requests.handle'
  | 'requests.decide'
  | 'policy.publish'
  | 'records.view'
  | 'records.manage'
  | 'incidents.manage'
  | 'audit.view'
  | 'staff.manage'
  | 'apikeys.manage'
  /** Record or read a person's consent receipts with a staff key (the operator's back office). */
  | 'consents.manage';

/**
 * The permission table as data. Staff handle requests (documents, payment, gathering, delivery); only officers and
 * admins decide (a refusal or partial disclosure is a legal judgement); auditors read but change nothing.
 */
export const rolePermissions: Record<StaffRole, readonly StaffPermission[]> = {
  admin: ['requests.view', 'requests.enter', 'requests.handle', 'requests.decide', 'policy.publish', 'records.view', 'records.manage', 'incidents.manage', 'audit.view', 'staff.manage', 'apikeys.manage', 'consents.manage'],
  officer: ['requests.view', 'requests.enter', 'requests.handle', 'requests.decide', 'policy.publish', 'records.view', 'records.manage', 'incidents.manage', 'audit.view', 'consents.manage'],
  staff: ['requests.view', 'requests.enter', 'requests.handle', 'records.view', 'consents.manage'],
  auditor: ['requests.view', 'records.view', 'audit.view'],
};

export const roleLabels: Record<StaffRole, { ja: string; en: string }> = {
  admin: { ja: '管理者', en: 'Administrator' },
  officer: { ja: '個人情報保護責任者', en: 'Privacy officer' },
  staff: { ja: '担当者', en: 'Staff' },
  auditor: { ja: '監査担当者', en: 'Auditor' },
};

export function can(role: StaffRole, permission: StaffPermission): boolean {
  return rolePermissions[role].includes(permission);
}

/** The roles holding a permission, for `requireStaff(ctx, rolesWith('requests.decide'))`. */
export function rolesWith(permission: StaffPermission): StaffRole[] {
  return staffRoles.filter((r) => can(r, permission));
}

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === 'string' && (staffRoles as readonly string[]).includes(value);
}
