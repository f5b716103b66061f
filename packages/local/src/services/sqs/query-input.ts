/**
 * The query protocol's form parameters (`Attribute.1.Name`, `SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue`,
 * `AttributeName.1`, …) translated into the JSON shape of the same input, so one implementation serves
 * both protocols. Flattened lists are numbered from 1; maps are lists of key/value pairs.
 */
import { isQueryTree, type QueryValue, queryList, readQueryTree } from '../../protocol/query';
import { sqsErrors } from './errors';
import { INTEGER_MEMBERS, type MessageAttributeInput, type SqsOperation } from './inputs';

/** The JSON-shaped input of `action` from its form parameters. */
export function queryToInput(
  action: SqsOperation,
  params: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const tree = readQueryTree(params, integerMember);
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
      return { ...tree, AttributeNames: queryList(tree.AttributeName) };
    case 'SendMessage':
      return {
        ...tree,
        MessageAttributes: messageAttributes(tree.MessageAttribute, 'MessageAttribute'),
        MessageSystemAttributes: messageAttributes(tree.MessageSystemAttribute, 'MessageSystemAttribute'),
      };
    case 'SendMessageBatch':
      return {
        ...tree,
        Entries: (queryList(tree.SendMessageBatchRequestEntry) ?? []).map((entry, i) => {
          if (!isQueryTree(entry)) return entry;
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
        AttributeNames: queryList(tree.AttributeName),
        MessageSystemAttributeNames: queryList(tree.MessageSystemAttributeName),
        MessageAttributeNames: queryList(tree.MessageAttributeName),
      };
    case 'DeleteMessageBatch':
      return { ...tree, Entries: queryList(tree.DeleteMessageBatchRequestEntry) ?? [] };
    case 'ChangeMessageVisibilityBatch':
      return { ...tree, Entries: queryList(tree.ChangeMessageVisibilityBatchRequestEntry) ?? [] };
    case 'TagQueue':
      return { ...tree, Tags: pairs(tree.Tag, 'Tag', 'Key', 'Value') };
    case 'UntagQueue':
      return { ...tree, TagKeys: queryList(tree.TagKey) };
    default:
      return tree;
  }
}

/** Integer members of SQS inputs are numbers in JSON: the query protocol carries them as text. */
function integerMember(path: string, text: string): QueryValue {
  const name = path.slice(path.lastIndexOf('.') + 1);
  return INTEGER_MEMBERS.has(name) ? toInteger(path, text) : text;
}

function toInteger(name: string, text: string): number {
  if (!/^[+-]?\d{1,15}$/.test(text.trim())) throw sqsErrors.invalidValue(name, text, 'must be an integer.');
  return Number(text.trim());
}

/** A flattened map (`Attribute.1.Name`/`Attribute.1.Value`) as a record. */
function pairs(value: QueryValue | undefined, prefix: string, keyName: string, valueName: string) {
  const items = queryList(value);
  if (items === undefined) return undefined;
  const out: Record<string, QueryValue> = {};
  items.forEach((item, i) => {
    const key = isQueryTree(item) ? item[keyName] : undefined;
    const val = isQueryTree(item) ? item[valueName] : undefined;
    if (typeof key !== 'string') throw sqsErrors.missingParameter(`${prefix}.${i + 1}.${keyName}`);
    if (val === undefined) throw sqsErrors.missingParameter(`${prefix}.${i + 1}.${valueName}`);
    out[key] = val;
  });
  return out;
}

/** `MessageAttribute.N.Name` + `MessageAttribute.N.Value.{DataType,StringValue,BinaryValue,…}` as a record. */
function messageAttributes(value: QueryValue | undefined, prefix: string) {
  const map = pairs(value, prefix, 'Name', 'Value');
  if (map === undefined) return undefined;
  const out: Record<string, MessageAttributeInput | QueryValue> = {};
  for (const [name, v] of Object.entries(map)) {
    if (!isQueryTree(v)) {
      out[name] = v;
      continue;
    }
    const { StringListValue, BinaryListValue, ...rest } = v;
    out[name] = {
      ...rest,
      ...(StringListValue === undefined ? {} : { StringListValues: queryList(StringListValue) }),
      ...(BinaryListValue === undefined ? {} : { BinaryListValues: queryList(BinaryListValue) }),
    };
  }
  return out;
}
