/**
 * The query protocol's form parameters (`Attribute.1.Name`, `SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue`,
 * `AttributeName.1`, …) translated into the JSON shape of the same input, so one implementation serves
 * both protocols. Flattened lists are numbered from 1; maps are lists of key/value pairs.
 */
import { sqsErrors } from './errors';
import { INTEGER_MEMBERS, type MessageAttributeInput, type SqsOperation } from './inputs';

type Tree = { [key: string]: TreeValue };
type TreeValue = string | number | Tree | TreeValue[];

/** The JSON-shaped input of `action` from its form parameters. */
export function queryToInput(
  action: SqsOperation,
  params: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const tree = buildTree(params);
  switch (action) {
    case 'CreateQueue':
      return {
        ...tree,
        Attributes: pairs(tree.Attribute, 'Attribute', 'Name', 'Value'),
        tags: pairs(tree.Tag, 'Tag', 'Key', 'Value'),
      };
    case 'SetQueueAttributes':
      return { ...tree, Attributes: pairs(tree.Attribute, 'Attribute', 'Name', 'Value') };
    case 'GetQueueAttributes':
      return { ...tree, AttributeNames: list(tree.AttributeName) };
    case 'SendMessage':
      return {
        ...tree,
        MessageAttributes: messageAttributes(tree.MessageAttribute, 'MessageAttribute'),
        MessageSystemAttributes: messageAttributes(tree.MessageSystemAttribute, 'MessageSystemAttribute'),
      };
    case 'SendMessageBatch':
      return {
        ...tree,
        Entries: (list(tree.SendMessageBatchRequestEntry) ?? []).map((entry, i) => {
          if (!isTree(entry)) return entry;
          const prefix = `SendMessageBatchRequestEntry.${i + 1}`;
          return {
            ...entry,
            MessageAttributes: messageAttributes(entry.MessageAttribute, `${prefix}.MessageAttribute`),
            MessageSystemAttributes: messageAttributes(
              entry.MessageSystemAttribute,
              `${prefix}.MessageSystemAttribute`,
            ),
          };
        }),
      };
    case 'ReceiveMessage':
      return {
        ...tree,
        AttributeNames: list(tree.AttributeName),
        MessageSystemAttributeNames: list(tree.MessageSystemAttributeName),
        MessageAttributeNames: list(tree.MessageAttributeName),
      };
    case 'DeleteMessageBatch':
      return { ...tree, Entries: list(tree.DeleteMessageBatchRequestEntry) ?? [] };
    case 'ChangeMessageVisibilityBatch':
      return { ...tree, Entries: list(tree.ChangeMessageVisibilityBatchRequestEntry) ?? [] };
    case 'TagQueue':
      return { ...tree, Tags: pairs(tree.Tag, 'Tag', 'Key', 'Value') };
    case 'UntagQueue':
      return { ...tree, TagKeys: list(tree.TagKey) };
    default:
      return tree;
  }
}

/**
 * `A.1.B=x` becomes `{ A: [{ B: 'x' }] }`: a branch whose keys are all numbers becomes a list in index
 * order; integer members become numbers.
 */
function buildTree(params: Readonly<Record<string, string>>): Tree {
  const root = new Map<string, unknown>();
  for (const [key, value] of Object.entries(params)) {
    const parts = key.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] as string;
      let child = node.get(part);
      if (!(child instanceof Map)) {
        child = new Map<string, unknown>();
        node.set(part, child);
      }
      node = child as Map<string, unknown>;
    }
    const last = parts[parts.length - 1] as string;
    if (!(node.get(last) instanceof Map)) node.set(last, value);
  }
  return toTree(root, '') as Tree;
}

function toTree(node: unknown, path: string): TreeValue {
  if (!(node instanceof Map)) {
    const name = path.slice(path.lastIndexOf('.') + 1);
    return INTEGER_MEMBERS.has(name) ? toInteger(path, node as string) : (node as string);
  }
  const keys = [...node.keys()] as string[];
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => toTree(node.get(k), path === '' ? k : `${path}.${k}`));
  }
  return Object.fromEntries(keys.map((k) => [k, toTree(node.get(k), path === '' ? k : `${path}.${k}`)]));
}

function toInteger(name: string, text: string): number {
  if (!/^[+-]?\d{1,15}$/.test(text.trim())) throw sqsErrors.invalidValue(name, text, 'must be an integer.');
  return Number(text.trim());
}

function isTree(value: TreeValue | undefined): value is Tree {
  return typeof value === 'object' && !Array.isArray(value);
}

function list(value: TreeValue | undefined): TreeValue[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

/** A flattened map (`Attribute.1.Name`/`Attribute.1.Value`) as a record. */
function pairs(value: TreeValue | undefined, prefix: string, keyName: string, valueName: string) {
  const items = list(value);
  if (items === undefined) return undefined;
  const out: Record<string, TreeValue> = {};
  items.forEach((item, i) => {
    const key = isTree(item) ? item[keyName] : undefined;
    const val = isTree(item) ? item[valueName] : undefined;
    if (typeof key !== 'string') throw sqsErrors.missingParameter(`${prefix}.${i + 1}.${keyName}`);
    if (val === undefined) throw sqsErrors.missingParameter(`${prefix}.${i + 1}.${valueName}`);
    out[key] = val;
  });
  return out;
}

/** `MessageAttribute.N.Name` + `MessageAttribute.N.Value.{DataType,StringValue,BinaryValue,…}` as a record. */
function messageAttributes(value: TreeValue | undefined, prefix: string) {
  const map = pairs(value, prefix, 'Name', 'Value');
  if (map === undefined) return undefined;
  const out: Record<string, MessageAttributeInput | TreeValue> = {};
  for (const [name, v] of Object.entries(map)) {
    if (!isTree(v)) {
      out[name] = v;
      continue;
    }
    const { StringListValue, BinaryListValue, ...rest } = v;
    out[name] = {
      ...rest,
      ...(StringListValue === undefined ? {} : { StringListValues: list(StringListValue) }),
      ...(BinaryListValue === undefined ? {} : { BinaryListValues: list(BinaryListValue) }),
    };
  }
  return out;
}
