/**
 * Options over their defaults, where an option passed as undefined (an unset setting handed on
 * as is) keeps its default instead of replacing it.
 */
export function withDefaults<D extends object, O extends object>(defaults: D, options: O): D & O {
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  return { ...defaults, ...(Object.fromEntries(given) as O) };
}
