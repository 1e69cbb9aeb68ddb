/** Review lifecycle shared by organizations and administrators (Tencent's manager statuses, DigiCert's validations). */
export const PROFILE_STATUSES = ['under_review', 'approved', 'rejected', 'expiring', 'expired'] as const;
export type ProfileStatus = (typeof PROFILE_STATUSES)[number];

export type ProfileKind = 'organization' | 'administrator';

/** Which statuses may be resubmitted for a new review: after a rejection, or to renew before or after expiry. */
export function canResubmit(status: ProfileStatus): boolean {
  return status === 'rejected' || status === 'expiring' || status === 'expired';
}

export function canDecide(status: ProfileStatus): boolean {
  return status === 'under_review';
}

/** Approved data is usable in certificate applications until validUntil, also while expiring. */
export function isUsable(status: ProfileStatus): boolean {
  return status === 'approved' || status === 'expiring';
}
