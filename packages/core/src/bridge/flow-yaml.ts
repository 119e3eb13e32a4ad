import { Document, Scalar, visit } from 'yaml';

/** Words a YAML 1.1 reader (PyYAML, Ansible, older tools) takes for booleans: quoted so every reader agrees. */
const YAML11_BOOLEAN = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
/** Line feeds, tabs and other control characters: written as escapes in double quotes, on the line. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * `value` as YAML on one line, in flow style (`{ fields: [roll, pitch], on_change: true }`), for
 * the entries a `--scan` prints to paste into a mapping: the yaml library quotes what a plain
 * scalar would misread (`"true"`, `"{sysid}.x"`, `"007"`), so the entry reads back as it was.
 * A string holding a line feed or another control character is written double-quoted with
 * escapes (never folded over lines), and YAML 1.1's boolean words (`on`, `no`) are quoted too.
 * A string alone is one scalar, fit for a block mapping's key or value (`topic: plant/+/temp`).
 */
export function flowYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && (CONTROL.test(node.value) || YAML11_BOOLEAN.test(node.value))) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ collectionStyle: 'flow', lineWidth: 0, doubleQuotedMinMultiLineLength: Infinity }).trimEnd();
}
