import { parse as parseDotEnvText } from 'dotenv';

/** The result of interpolating one string the way docker compose does. */
export interface Interpolated {
  value: string;
  /** Variables used without a default that are not set (each read as ""). */
  missing: string[];
  /** Messages of `${VAR:?err}` / `${VAR?err}` that fired, and malformed `$` expressions (kept literally). */
  errors: string[];
}

interface Collected {
  missing: string[];
  errors: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;
type Operator = (typeof OPERATORS)[number];
const MAX_NESTING = 32;

/**
 * Compose interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`,
 * `${VAR:+alt}`, `${VAR+alt}`, `$VAR` and `$$` for a literal `$`. Defaults and alternatives may nest
 * (`${A:-${B:-x}}`) and are only expanded when used. Values taken from `env` are not expanded again.
 */
export function interpolate(text: string, env: Record<string, string>): Interpolated {
  const collected: Collected = { missing: [], errors: [] };
  const value = expand(text, env, collected, 0);
  return { value, missing: [...new Set(collected.missing)], errors: collected.errors };
}

function expand(text: string, env: Record<string, string>, out: Collected, depth: number): string {
  let value = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar < 0) return value + text.slice(index);
    value += text.slice(index, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      value += '$';
      index = dollar + 2;
    } else if (next === '{') {
      const close = closingBrace(text, dollar + 2);
      if (close < 0) {
        out.errors.push(`unterminated "\${" in "${text}"`);
        return value + text.slice(dollar);
      }
      value += expandBraced(text.slice(dollar + 2, close), env, out, depth);
      index = close + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (name) {
        value += lookup(name, env, out);
        index = dollar + 1 + name.length;
      } else {
        out.errors.push(
          `"$" must be followed by a variable name, "{" or "$" (write "$$" for a literal "$") in "${text}"`,
        );
        value += '$';
        index = dollar + 1;
      }
    }
  }
  return value;
}

/** Index of the `}` closing a `${` whose body starts at `start`, counting nested `${`; -1 when there is none. */
function closingBrace(text: string, start: number): number {
  let open = 1;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (char === '$' && (text[index + 1] === '$' || text[index + 1] === '{')) {
      if (text[index + 1] === '{') open++;
      index++;
    } else if (char === '}' && --open === 0) {
      return index;
    }
  }
  return -1;
}

function expandBraced(body: string, env: Record<string, string>, out: Collected, depth: number): string {
  const name = NAME.exec(body)?.[0];
  const rest = name ? body.slice(name.length) : '';
  const operator = OPERATORS.find((candidate) => rest.startsWith(candidate));
  if (!name || (rest !== '' && !operator) || depth >= MAX_NESTING) {
    out.errors.push(`invalid interpolation "\${${body}}"`);
    return `\${${body}}`;
  }
  if (!operator) return lookup(name, env, out);
  const argument = rest.slice(operator.length);
  return applyOperator(operator, name, argument, env, out, depth);
}

function applyOperator(
  operator: Operator,
  name: string,
  argument: string,
  env: Record<string, string>,
  out: Collected,
  depth: number,
): string {
  const isSet = Object.hasOwn(env, name);
  const hasValue = isSet && env[name] !== '';
  const expandArgument = () => expand(argument, env, out, depth + 1);
  switch (operator) {
    case ':-':
      return hasValue ? env[name] : expandArgument();
    case '-':
      return isSet ? env[name] : expandArgument();
    case ':+':
      return hasValue ? expandArgument() : '';
    case '+':
      return isSet ? expandArgument() : '';
    case ':?':
    case '?': {
      if (operator === ':?' ? hasValue : isSet) return env[name];
      const message = expandArgument();
      out.errors.push(message ? `${name}: ${message}` : `required variable ${name} is missing a value`);
      return '';
    }
  }
}

function lookup(name: string, env: Record<string, string>, out: Collected): string {
  if (Object.hasOwn(env, name)) return env[name];
  out.missing.push(name);
  return '';
}

/**
 * Parses a `.env` file the way compose reads it: KEY=VALUE lines, quotes, comments and the `export`
 * prefix (by the `dotenv` package). Values may refer to variables defined earlier in the file
 * (`ADDR=${HOST}:${PORT}`); single-quoted values are taken literally.
 */
export function parseDotEnv(text: string): Record<string, string> {
  let parsed: Record<string, string>;
  try {
    parsed = parseDotEnvText(text);
  } catch {
    return {};
  }
  const literalKeys = singleQuotedKeys(text);
  const env: Record<string, string> = {};
  for (const [key, raw] of Object.entries(parsed)) {
    if (key === '__proto__') continue;
    env[key] = literalKeys.has(key) ? raw : interpolate(raw, env).value;
  }
  return env;
}

function singleQuotedKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const match of text.matchAll(/^[ \t]*(?:export[ \t]+)?([\w.-]+)[ \t]*=[ \t]*'/gm)) keys.add(match[1]);
  return keys;
}
