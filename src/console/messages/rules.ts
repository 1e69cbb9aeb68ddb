import type { FieldRule } from '../../domain/field-rules';

/**
 * How the console says each rule a field breaks (src/domain/field-rules.ts), with the field error's
 * `values` in braces (`{maximum}`). Simplified Chinese has every rule, so the type keeps a new rule from
 * shipping without its wording. English shows the field error's own message, which names the value, the
 * limit and the source, except for the few rules worded more plainly here.
 */
export const RULE_WORDING: { en: Partial<Record<FieldRule, string>>; 'zh-CN': Record<FieldRule, string> } = {
  en: {
    required: 'Required.',
    'password-length': 'At least 12 characters.',
    'password-too-long': 'At most 256 characters.',
    'password-guessable': 'Too easy to guess (a common password, a pattern, or close to your name or email address): use a longer phrase of unrelated words.',
    'password-confirmation': 'Does not match the password.',
  },
  'zh-CN': {
    // 请求格式
    required: '此项为必填项。',
    type: '类型不正确，应为{expected}。',
    'min-length': '至少 {minimum} 个字符。',
    'max-length': '最多 {maximum} 个字符。',
    minimum: '不能小于 {minimum}。',
    maximum: '不能大于 {maximum}。',
    'min-items': '至少 {minimum} 项。',
    'max-items': '最多 {maximum} 项。',
    format: '格式不正确{format}。',
    'one-of': '请从以下选项中选择：{options}。',
    'unknown-field': '包含无法识别的字段：{keys}。',
    'at-least-one-field': '请至少修改一项。',
    invalid: '值无效。',
    'single-field': '此请求头只能发送一次。',
    // 文本与数字
    'utf-8': '不是有效的 UTF-8 文本。',
    'max-depth': '数组与对象的嵌套不能超过 {maximum} 层。',
    'control-character': '不能包含控制字符。',
    'unpaired-surrogate': '不是有效的 Unicode 文本（含未配对的代理项）。',
    'decimal-integer': '请输入 {minimum} 到 {maximum} 之间的整数，只用数字 0–9。',
    'integer-range': '请输入 {minimum} 到 {maximum} 之间的整数。',
    // 证书主体信息（CA/浏览器论坛基线要求 §7.1.4.2）
    'unprintable-character': '包含不可见或无法打印的字符。',
    'metadata-only': '必须包含字母或数字，不能只有“.”“-”或空格之类的符号。',
    'not-applicable': '请填写真实内容，不能填写“无”“不适用”“N/A”之类表示空缺的词。',
    'dn-syntax': '包含证书主体名称中有特殊含义的字符组合（如“CN=”），请删去。',
    'html-entity': '包含 HTML 实体（如“&amp;”），请直接填写该字符。',
    'country-code': '请选择国家或地区（ISO 3166-1 两位字母代码，如 CN）。',
    'iso-3166-2': '不是该国家或地区的省级行政区。',
    'phone-number': '不是有效的电话号码。',
    'phone-type': '号码类型不符：组织电话须为固定电话，管理员电话须为手机号码。',
    'mobile-extension': '手机号码不能带分机号。',
    duplicate: '账号中已有相同的组织、人员或域名。',
    'administrator-required': '账号的第一个组织需要同时提交其管理员。',
    'unique-addresses': '每个邮箱地址只能填写一次。',
    // 电子邮箱
    'email-syntax': '不是有效的邮箱地址。',
    'email-quoted-local-part': '邮箱地址的用户名部分不能使用引号。',
    'email-address-literal': '邮箱地址必须使用域名，不能使用 IP 地址。',
    'email-length': '邮箱地址过长（用户名最多 64 个字符，全长最多 254 个字符）。',
    'email-character': '邮箱地址包含空格、控制字符或不可见字符。',
    // 审核记录
    'reason-required': '驳回时请填写原因。',
    'callback-answered': '通过审核需要一次已接听的回拨。',
    'callback-number': '必须是该组织登记的固定电话（含分机号）。',
    'verification-confirmed': '通过审核需要管理员已确认。',
    'verification-contact': '必须是该管理员登记的邮箱或手机号码。',
    'not-in-future': '时间不能晚于现在。',
    'not-before-submission': '时间不能早于提交时间。',
    // 域名
    empty: '请填写域名。',
    'ip-address': '必须是域名，不能是 IP 地址。',
    'wildcard-position': '通配符“*”只能作为证书域名最左边的一整段（如 *.example.com），邮箱地址和主机名中不能使用。',
    'empty-label': '域名中不能有空的一段（如连续的两个点）。',
    'label-length': '域名的每一段最多 63 个字符。',
    'name-length': '域名过长：最多 253 个字符（按 xn-- 编码计算，加上验证记录的前缀也不能超过）。',
    'ldh-syntax': '域名只能包含字母、数字和连字符，且每段不能以连字符开头或结尾。',
    'reserved-ldh-label': '第三、四位为“--”的段只能是有效的国际化域名编码（xn--）。',
    'a-label': '不是有效的国际化域名编码（xn--）。',
    'u-label': '不是有效的国际化域名。',
    'idna-code-point': '包含国际化域名不允许的字符。',
    'idna-context': '包含只能在特定上下文中使用的字符。',
    bidi: '从右向左书写的文字不符合国际化域名的双向文字规则。',
    'too-few-labels': '需要完整的域名，至少两段（如 example.com）。',
    'numeric-tld': '顶级域名不能全是数字。',
    'reverse-zone': '不能使用 .arpa 下的反向解析域名。',
    'internal-name': '顶级域名未在 ICANN 注册（内部名称），请填写公网域名。',
    'special-use': '这是特殊用途域名（如 .onion），公网 DNS 不解析，不能使用。',
    'public-suffix': '这是公共后缀（如 com.cn）或其下的通配符，请填写您注册的域名。',
    'file-wildcard': '文件验证只能证明单个域名，通配符域名请使用 DNS 验证。',
    'dns-provider-only': '只有“DNS 服务商”验证方式才需要选择 DNS 服务商。',
    'outside-provider-zone': '验证记录不在该 DNS 服务商管理的区域内。',
    'method-unavailable': '本服务未配置自动 DNS 验证，请关闭自动验证或改用其他验证方式。',
    'not-in-account': '在此账号中找不到该项，可能已被删除。',
    // 地址与网络
    'host-name': '不是可以解析的主机名。',
    url: '请填写完整的 http(s) 网址，不能包含用户名、密码或 # 片段。',
    'public-address': '必须是公网地址，不能是内网、回环或保留地址。',
    'event-type': '未知的事件类型。',
    // 控制台密码
    'password-length': '至少 12 个字符。',
    'password-too-long': '最多 256 个字符。',
    'password-guessable': '太容易被猜到（常见密码、规律字符，或与您的姓名、邮箱相近）：请使用由几个不相关的词组成的更长短语。',
    'password-confirmation': '与密码不一致。',
  },
};

const ZH_TYPES: Record<string, string> = { string: '文本', number: '数字', int: '整数', boolean: '是或否', object: '一组字段', array: '列表' };
const ZH_FORMATS: Record<string, string> = {
  datetime: '，应为带时区的日期时间（如 2026-11-30T09:30:00+08:00）',
  uuid: '，应为 UUID',
  email: '，应为邮箱地址',
  url: '，应为网址',
  // A pattern of the field's own: its hint in the form says what it takes.
  regex: '',
};

/**
 * A field error's values as a locale's wording takes them: zod's English words (`values.expected`,
 * `values.format`) in the viewer's language, lists with the locale's separator. Values it does not know stay as they are.
 */
export const RULE_VALUE_WORDING: Partial<Record<keyof typeof RULE_WORDING, Record<string, (value: string) => string>>> = {
  'zh-CN': {
    expected: (value) => ZH_TYPES[value] ?? ` ${value}`,
    format: (value) => ZH_FORMATS[value] ?? `（${value}）`,
    options: (value) => value.split(', ').join('、'),
    keys: (value) => value.split(', ').join('、'),
  },
};
