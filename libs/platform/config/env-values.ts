import { ValidateBy } from 'class-validator';
import { isIP } from 'node:net';

/** class-transformer helpers for environment strings (contexts' config classes use them too). */
export const envBool = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;
export const envInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
export const envList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/** TRUST_PROXY: `true`/`false` (as envBool reads them), else a comma list of proxies. */
export const envTrustProxy = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(v)) return false;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  return envList({ value });
};

/** An address or CIDR, or one of proxy-addr's names, as Fastify's `trustProxy` list takes them. */
function isProxyAddress(entry: unknown): boolean {
  if (typeof entry !== 'string') return false;
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  return (
    bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128))
  );
}

export const IsTrustProxy = () =>
  ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'boolean' ||
        (Array.isArray(value) && value.length > 0 && value.every(isProxyAddress)),
      defaultMessage: () =>
        '$property must be true, false or a comma list of proxy addresses / CIDRs (e.g. 10.0.0.0/8,127.0.0.1)',
    },
  });
