/** The API Management tiers with and without backup (kept free of the SDK: validation and fleets read it early). */

export const SUPPORTED_TIERS = ['Developer', 'Basic', 'Standard', 'Premium'];
export const UNSUPPORTED_TIERS = ['Consumption', 'BasicV2', 'StandardV2', 'PremiumV2'];

/** A tier Azure has no backup or restore for; an unknown tier is given the benefit of the doubt. */
export function lacksBackup(tier: string): boolean {
  return UNSUPPORTED_TIERS.includes(tier);
}
