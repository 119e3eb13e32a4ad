import { flowYaml } from '@fieldbridge/core/bridge';

/**
 * Node ids as engineers paste them by mistake, and what to write instead: UaExpert's display form
 * (`NS3|String|"DB_Line"."Temp"`), Neuron's tag address (`2!Boiler.Temperature`), and an S7 name whose quotes do not pair up, as when an unquoted
 * `node_id: ns=3;s="DB_Line"."Temp #1"` lost its end to a YAML comment (` #`). Pure.
 */

const UAEXPERT_FORM = /^NS(\d{1,5})\|(Numeric|String|Guid|ByteString|Opaque)\|([\s\S]+)$/i;
// Neuron's OPC UA tag address: namespace index, `!`, then the identifier, numeric or string.
const NEURON_FORM = /^(\d{1,5})!([\s\S]+)$/;
const KIND_LETTER: Readonly<Record<string, string>> = { numeric: 'i', string: 's', guid: 'g', bytestring: 'b', opaque: 'b' };

/** The message for a node id written in a form that is not the text form but close to it, else undefined. */
export function nodeIdSlip(text: string): string | undefined {
  const shown = UAEXPERT_FORM.exec(text);
  if (shown) {
    const [, ns, kind, id] = shown;
    const letter = KIND_LETTER[kind!.toLowerCase()]!;
    const written = `${ns === '0' ? '' : `ns=${ns};`}${letter}=${id}`;
    // Quoted where YAML would misread it (` #`, `: `), as it is to be pasted.
    return `"${text}" is how UaExpert displays a node id; write it as ${flowYaml(written)}`;
  }
  const neuron = NEURON_FORM.exec(text);
  if (neuron) {
    const [, ns, id] = neuron;
    const written = `${ns === '0' ? '' : `ns=${ns};`}${/^\d{1,10}$/.test(id!) ? 'i' : 's'}=${id}`;
    return `"${text}" is a Neuron tag address (namespace!identifier); write it as ${flowYaml(written)}`;
  }
  return undefined;
}

/**
 * The message for a string identifier that starts like an S7 name (`"DB_Line"."Temp"`) but whose
 * double quotes do not pair up, else undefined. Such names quote every part, so an odd count means
 * the text was cut, most often by YAML reading ` #` in an unquoted value as a comment.
 */
export function s7NameSlip(identifier: string): string | undefined {
  if (!identifier.startsWith('"')) return undefined;
  const quotes = identifier.split('"').length - 1;
  if (quotes % 2 === 0) return undefined;
  return (
    `the double quotes of the S7 name ${identifier} do not pair up, so its end is missing: ` +
    `in YAML an unquoted value ends at " #" (a comment); put the whole node id in single quotes, e.g. node_id: 'ns=3;s="DB_Line"."Temp #1"'`
  );
}
