/**
 * SSM's errors, worded as Parameter Store words them (the codes of the API reference), each naming the
 * parameter, filter or value at fault and what was expected.
 */
import { validationError } from '../../protocol/input';
import { AwsError } from '../../protocol/service';
import { DATA_TYPES, PARAMETER_TYPES } from './inputs';

const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';

const validation = (message: string) => new AwsError('ValidationException', message);

export const ssmErrors = {
  input: validationError('ValidationException'),
  unknownOperation: (operation: string, supported: readonly string[]) =>
    new AwsError(
      'UnknownOperationException',
      `Operation ${operation} is not supported by the local SSM; supported: ${supported.join(', ')}`,
    ),
  invalidName: (name: string) => validation(`Parameter name '${name}' is not valid. ${NAME_RULES}`),
  invalidPath: (path: string) =>
    validation(
      `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Got Path '${path}'.`,
    ),
  hierarchyTooDeep: (name: string, levels: number, max: number) =>
    new AwsError(
      'HierarchyLevelLimitExceededException',
      `Parameter ${name} has ${levels} levels; a hierarchy can have a maximum of ${max} levels.`,
    ),
  alreadyExists: (name: string) =>
    new AwsError(
      'ParameterAlreadyExists',
      `The parameter ${name} already exists. To overwrite this value, set the overwrite option in the request to true.`,
    ),
  tagsWithOverwrite: () =>
    validation(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    ),
  typeRequired: (name: string) =>
    validation(
      `Parameter ${name} does not exist yet, so a Type is required (one of ${PARAMETER_TYPES.join(', ')})`,
    ),
  typeMismatch: (name: string, current: string, requested: string) =>
    new AwsError(
      'HierarchyTypeMismatchException',
      `Parameter ${name} is of type ${current}; changing it to ${requested} is not supported. Create a new parameter instead.`,
    ),
  emptyValue: () =>
    validation(
      "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ),
  keyIdNotSecure: (type: string) =>
    validation(`KeyId applies to SecureString parameters only, not to ${type}`),
  unsupportedDataType: (dataType: string) =>
    validation(
      `The following data type is not supported: ${dataType} (supported data types are: ${DATA_TYPES.join(', ')})`,
    ),
  valueTooLarge: (name: string, bytes: number, limit: number) =>
    validation(
      `Parameter ${name}: the value is ${bytes} bytes; advanced-tier parameters support a maximum parameter value of ${limit} bytes.`,
    ),
  standardValueTooLarge: (name: string, bytes: number, limit: number) =>
    validation(
      `Parameter ${name}: the value is ${bytes} bytes; standard tier parameters support a maximum parameter value of ${limit} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.`,
    ),
  tierDowngrade: (name: string) =>
    validation(
      `Parameter ${name} uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier.`,
    ),
  limitExceeded: (tier: string, limit: number) =>
    new AwsError(
      'ParameterLimitExceeded',
      `You have exceeded the number of ${tier.toLowerCase()}-tier parameters for this account (${limit}). Delete one or more parameters and try again.`,
    ),
  invalidAllowedPattern: (name: string, pattern: string, reason: string) =>
    new AwsError(
      'InvalidAllowedPatternException',
      `AllowedPattern ${pattern} of ${name} is not a valid regular expression: ${reason}`,
    ),
  patternMismatch: (name: string, pattern: string) =>
    new AwsError(
      'ParameterPatternMismatchException',
      `Parameter value, cannot be validated against allowedPattern: ${pattern} (parameter ${name})`,
    ),
  notFound: (name: string) => new AwsError('ParameterNotFound', `Parameter ${name} not found.`),
  versionNotFound: (name: string, version: number, current: number) =>
    new AwsError(
      'ParameterVersionNotFound',
      `Systems Manager could not find version ${version} of ${name}; the local SSM keeps only the latest version, ${current}.`,
    ),
  labelNotFound: (name: string, selector: string) =>
    new AwsError(
      'ParameterVersionLabelNotFound',
      `The local SSM has no parameter labels; selector ':${selector}' of ${name} cannot be resolved (use a version number)`,
    ),
  filtersTogether: () =>
    validation('Filters and ParameterFilters cannot be used together; use ParameterFilters'),
  pathFilterTwice: () => new AwsError('InvalidFilterKey', 'The Path filter may be given only once.'),
  invalidFilterKey: (key: string, valid: readonly string[]) =>
    new AwsError(
      'InvalidFilterKey',
      `The following filter key is not valid: ${key}. Valid filter keys include: [${valid.join(', ')}].`,
    ),
  invalidFilterOption: (key: string, option: string, valid: string) =>
    new AwsError(
      'InvalidFilterOption',
      `The option ${option} is not valid for the ${key} filter. Valid options are ${valid}.`,
    ),
  invalidPathFilterValue: (path: string) =>
    new AwsError('InvalidFilterValue', `The Path filter value ${path} is not a valid path.`),
  filterValueMissing: (key: string) =>
    new AwsError('InvalidFilterValue', `The ${key} filter needs at least one value.`),
  invalidTypeFilterValue: (value: string) =>
    new AwsError(
      'InvalidFilterValue',
      `The Type filter value ${value} is not valid. Valid values are ${PARAMETER_TYPES.join(', ')}.`,
    ),
  invalidNextToken: (token: string) =>
    new AwsError(
      'InvalidNextToken',
      `The specified token isn't valid: '${token.slice(0, 64)}'. Pass the NextToken of the previous response unchanged.`,
    ),
} as const;
