// The npm DBC libraries the CAN benchmark measures against, loaded as a user would, plus one
// repair: dbc-can 1.6.0 does not load on a case-sensitive file system (its index requires
// './dbc/Dbc' and './can/Can', the files are dbc.js and can.js, and so on inside), so its own
// relative requires are resolved without regard to case. Nothing else is changed.
import { readdirSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);

function requireIgnoringCase(entry) {
  const root = dirname(require.resolve(`${entry}/package.json`));
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
    try {
      return original.call(this, request, parent, ...rest);
    } catch (err) {
      if (err.code !== 'MODULE_NOT_FOUND' || !request.startsWith('.') || !parent?.filename?.startsWith(root)) throw err;
      const target = resolve(dirname(parent.filename), request);
      const wanted = basename(target).toLowerCase();
      const found = readdirSync(dirname(target)).find((f) => f.toLowerCase() === `${wanted}.js` || f.toLowerCase() === wanted);
      if (!found) throw err;
      return join(dirname(target), found);
    }
  };
  try {
    return require(entry);
  } finally {
    Module._resolveFilename = original;
  }
}

/**
 * Each library's name and version, and `load(path)`: its database read from the DBC file the
 * way its README says (candied from the text, dbc-can from the path), with its frame and
 * decode calls and the decoded physical values by signal name.
 */
export function dbcLibraries() {
  const candied = require('candied');
  const dbcCan = requireIgnoringCase('dbc-can');
  return [
    { name: 'candied', version: require('candied/package.json').version, Dbc: candied.Dbc, Can: candied.Can, read: (dbc, path) => dbc.load(readFileSync(path, 'utf8')) },
    { name: 'dbc-can', version: require('dbc-can/package.json').version, Dbc: dbcCan.default ?? dbcCan, Can: dbcCan.Can, read: (dbc, path) => dbc.loadSync(path) },
  ].map(({ name, version, Dbc, Can, read }) => ({
    name,
    version,
    load(path) {
      const can = new Can();
      can.database = read(new Dbc(), path);
      return {
        /** The library's own call, as its README shows it: a frame object, then decode. */
        decodeFrame: (frame) => can.decode(frame),
        frameOf: (id, extended, bytes) => can.createFrame(id, Array.from(bytes), extended),
        /** The values by signal name, for the correctness count. */
        values(id, extended, bytes) {
          const bound = can.decode(can.createFrame(id, Array.from(bytes), extended));
          if (!bound) return undefined;
          const out = new Map();
          for (const [signalName, signal] of bound.boundSignals) out.set(signalName, signal.value);
          return out;
        },
      };
    },
  }));
}
