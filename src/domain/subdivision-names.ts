/**
 * Names of ISO 3166-2 subdivisions that neither data package carries: `iso-3166` holds ISO's own names
 * (Latin script: "Beijing Shi", "Bayern") and `cldr-subdivisions-full` the English ones ("Bavaria"),
 * but no Chinese names and no English name for CN-NM, CN-HK, CN-MO or CN-TW.
 *
 * Sources: ISO 3166-2:CN (names in Chinese as in GB/T 2260, 2017 codes), ISO 3166-2:TW (names in
 * Chinese, traditional script), the English names the Chinese government uses. Both scripts are listed
 * where they differ; designators such as 省, 市 or 自治区 may be left out (see `subdivisions.ts`).
 */
export const EXTRA_SUBDIVISION_NAMES: Readonly<Record<string, readonly string[]>> = {
  'CN-AH': ['安徽省'],
  'CN-BJ': ['北京市'],
  'CN-CQ': ['重庆市', '重慶市'],
  'CN-FJ': ['福建省'],
  'CN-GD': ['广东省', '廣東省'],
  'CN-GS': ['甘肃省', '甘肅省'],
  'CN-GX': ['广西壮族自治区', '廣西壯族自治區'],
  'CN-GZ': ['贵州省', '貴州省'],
  'CN-HA': ['河南省'],
  'CN-HB': ['湖北省'],
  'CN-HE': ['河北省'],
  'CN-HI': ['海南省'],
  'CN-HK': ['香港特别行政区', '香港特別行政區', 'Hong Kong'],
  'CN-HL': ['黑龙江省', '黑龍江省'],
  'CN-HN': ['湖南省'],
  'CN-JL': ['吉林省'],
  'CN-JS': ['江苏省', '江蘇省'],
  'CN-JX': ['江西省'],
  'CN-LN': ['辽宁省', '遼寧省'],
  'CN-MO': ['澳门特别行政区', '澳門特別行政區', 'Macao', 'Macau'],
  'CN-NM': ['内蒙古自治区', '內蒙古自治區', 'Inner Mongolia'],
  'CN-NX': ['宁夏回族自治区', '寧夏回族自治區'],
  'CN-QH': ['青海省'],
  'CN-SC': ['四川省'],
  'CN-SD': ['山东省', '山東省'],
  'CN-SH': ['上海市'],
  'CN-SN': ['陕西省', '陝西省'],
  'CN-SX': ['山西省'],
  'CN-TJ': ['天津市'],
  'CN-TW': ['台湾省', '臺灣省', 'Taiwan'],
  'CN-XJ': ['新疆维吾尔自治区', '新疆維吾爾自治區'],
  'CN-XZ': ['西藏自治区', '西藏自治區'],
  'CN-YN': ['云南省', '雲南省'],
  'CN-ZJ': ['浙江省'],
  'TW-CHA': ['彰化縣'],
  'TW-CYI': ['嘉義市'],
  'TW-CYQ': ['嘉義縣'],
  'TW-HSQ': ['新竹縣'],
  'TW-HSZ': ['新竹市'],
  'TW-HUA': ['花蓮縣'],
  'TW-ILA': ['宜蘭縣'],
  'TW-KEE': ['基隆市'],
  'TW-KHH': ['高雄市'],
  'TW-KIN': ['金門縣'],
  'TW-LIE': ['連江縣'],
  'TW-MIA': ['苗栗縣'],
  'TW-NAN': ['南投縣'],
  'TW-NWT': ['新北市'],
  'TW-PEN': ['澎湖縣'],
  'TW-PIF': ['屏東縣'],
  'TW-TAO': ['桃園市'],
  'TW-TNN': ['臺南市'],
  'TW-TPE': ['臺北市'],
  'TW-TTT': ['臺東縣'],
  'TW-TXG': ['臺中市'],
  'TW-YUN': ['雲林縣'],
};

/**
 * City-states whose ISO 3166-2 subdivisions are districts of the one city: certificates carry the
 * country's own name as stateOrProvinceName there (`ST=Singapore`), so that name is accepted too.
 */
export const CITY_STATE_NAMES: Readonly<Record<string, readonly string[]>> = {
  SG: ['Singapore', '新加坡'],
  MC: ['Monaco'],
};
