/** A query's or form's parameter naming an org (`org=`, `organization_key=`, `owner=`: see `fieldCourses`). */
const orgParam = /(?:org|owner|partner|institut|universit|school|provider)[\w.-]*=/i;

/**
 * The `name=value` parameters of text (a query, a form, a fragment) as an object's fields (the last
 * of a name), when one names an org: read with `fieldCourses` (`?org=MITx&number=6.002x` names
 * MITx's 6.002x); `undefined` when none does.
 *
 * @example paramFields('?org=MITx&number=6.002x') // { org: 'MITx', number: '6.002x' }
 */
export function paramFields(text: string): Record<string, string> | undefined {
  if (!text.includes('=') || !orgParam.test(text)) return undefined;
  return Object.fromEntries(
    [...text.matchAll(/([^\s?&;#=]+)=([^\s&;#]*)/g)].map(([, name = '', value = '']) => [name, value]),
  );
}
