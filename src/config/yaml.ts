// YAML 1.1 as PyYAML's safe_load reads it, so a config means the same thing to us as to Patroni:
// `on`/`off`/`yes`/`no` are booleans but `y`/`n` stay strings, and timestamps stay strings
// (PyYAML would give datetime objects that Patroni only ever prints back as text).
import type { DocumentOptions, ParseOptions, SchemaOptions, Tags } from 'yaml';

const PY_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PY_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

function pyYamlTags(tags: Tags): Tags {
  return tags
    .filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp')
    .map((t) => {
      if (typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:bool' || !('test' in t) || !t.test) return t;
      return { ...t, test: t.test.source.includes('[Tt]rue') ? PY_TRUE : PY_FALSE };
    });
}

export const YAML11: ParseOptions & DocumentOptions & SchemaOptions = { version: '1.1', customTags: pyYamlTags, uniqueKeys: false };
