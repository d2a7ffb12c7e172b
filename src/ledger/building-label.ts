import { parseLocation } from '../intake/parse/location';

/**
 * `7#楼`, `7＃`, `7号`: how ledgers (and the signs on the buildings) often write 7号楼. Residents'
 * posts do not (a `#` there starts a tag), so these are read only in the ledger's names.
 */
const NUMBERED =
  /(?<![0-9０-９])([0-9０-９]{1,3}|[一二两三四五六七八九十]{1,3})\s*(?:[#＃]|号(?![楼栋]))\s*楼?/u;

/**
 * What a post calls the building of this ledger name: `5号楼`, `五号楼`, `5栋`, `5#楼` → '5',
 * `A座` → 'A'; undefined for a name without a number or letter (`综合楼`). Routing compares it with
 * what parseLocation reads from a post, and the ledger refuses two buildings of a compound with
 * the same one.
 */
export function buildingLabel(name: string): string | undefined {
  return parseLocation(name).building ?? parseLocation(name.replace(NUMBERED, '$1号楼')).building;
}
