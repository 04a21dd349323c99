"""Cue words that type mentions: name suffixes, list heads and context words.

Every table here describes how Chinese names and news prose are built, not any one
article: 有限公司 ends a company name, 研究院 a research institute, "A、B等龙头企业" lists
companies, "做强A、B 4大产业" lists industries.
"""
from __future__ import annotations

# ------------------------------------------------------------------ name suffixes → class
# Longest suffix wins; `GENERIC_SUFFIXES` need a distinctive word before them.
NAME_SUFFIXES: dict[str, str] = {
    # companies (legal forms)
    "股份有限公司": "Company", "有限责任公司": "Company", "集团有限公司": "Company",
    "有限公司": "Company", "股份公司": "Company", "集团": "Company", "控股": "Company",
    # research
    "研究院": "ResearchInstitute", "研究所": "ResearchInstitute", "实验室": "ResearchInstitute",
    "大学": "ResearchInstitute", "学院": "ResearchInstitute", "分院": "ResearchInstitute",
    "科学院": "ResearchInstitute", "研究中心": "ResearchInstitute", "科大": "ResearchInstitute",
    "工程中心": "ResearchInstitute", "技术中心": "ResearchInstitute",
    # government
    "经信局": "GovernmentBody", "大数据局": "GovernmentBody", "发展局": "GovernmentBody",
    "管理局": "GovernmentBody", "商务局": "GovernmentBody", "科技局": "GovernmentBody",
    "发改委": "GovernmentBody", "管委会": "GovernmentBody", "委员会": "GovernmentBody",
    "经信厅": "GovernmentBody", "商务厅": "GovernmentBody", "科技厅": "GovernmentBody",
    "政府": "GovernmentBody", "省委": "GovernmentBody", "市委": "GovernmentBody",
    "县委": "GovernmentBody", "区委": "GovernmentBody", "党委": "GovernmentBody",
    "工信部": "GovernmentBody", "办公室": "GovernmentBody", "服务中心": "GovernmentBody",
    "局": "GovernmentBody", "厅": "GovernmentBody",
    # landmarks
    "广场": "Place", "公园": "Place", "机场": "Place", "发射基地": "Place", "发射中心": "Place",
    # programmes and policy documents named without quotes or 《》
    "行动": "Policy", "改革": "Policy", "战略": "Policy", "试点": "Policy", "示范点": "Policy",
    "政策措施": "Policy", "行动方案": "Policy", "实施方案": "Policy", "实施意见": "Policy",
    "若干意见": "Policy", "若干政策": "Policy", "专项规划": "Policy",
    # associations
    "促进会": "Association", "协会": "Association", "商会": "Association", "学会": "Association",
    "联盟": "Association", "联合会": "Association", "研究会": "Association", "基金会": "Association",
    # parks and zones
    "产业园": "IndustrialPark", "科技园": "IndustrialPark", "工业园": "IndustrialPark", "软件园": "IndustrialPark",
    "创意园": "IndustrialPark", "物流园": "IndustrialPark", "孵化园": "IndustrialPark",
    "创业园": "IndustrialPark", "创新园": "IndustrialPark", "园区": "IndustrialPark",
    "开发区": "IndustrialPark", "高新区": "IndustrialPark", "经开区": "IndustrialPark",
    "新区": "IndustrialPark", "集聚区": "IndustrialPark", "试验区": "IndustrialPark",
    "综试区": "IndustrialPark", "示范区": "IndustrialPark", "片区": "IndustrialPark",
    "产业基地": "IndustrialPark", "孵化基地": "IndustrialPark", "小镇": "IndustrialPark",
    "科学谷": "IndustrialPark", "软件谷": "IndustrialPark", "智能谷": "IndustrialPark",
    "光谷": "IndustrialPark", "数安港": "IndustrialPark", "科技城": "IndustrialPark",
    "大走廊": "IndustrialPark", "创新大厦": "IndustrialPark", "孵化器": "IndustrialPark",
    "众创空间": "IndustrialPark", "新产业平台": "IndustrialPark", "产业平台": "IndustrialPark",
    # data centres
    "数据中心": "DataCenter", "算力中心": "DataCenter", "计算中心": "DataCenter",
    "超算中心": "DataCenter", "智算中心": "DataCenter", "分中心": "DataCenter",
    "数据金库": "DataCenter",
    # digital platforms
    "产业大脑": "DigitalPlatform", "大脑": "DigitalPlatform", "驾驶舱": "DigitalPlatform",
    "云平台": "DigitalPlatform", "服务平台": "DigitalPlatform", "运营平台": "DigitalPlatform",
    "数据平台": "DigitalPlatform", "互联网平台": "DigitalPlatform", "平台": "DigitalPlatform",
    "云商网": "DigitalPlatform", "小程序": "DigitalPlatform",
    # projects
    "项目": "Project", "生产基地": "Project", "研发基地": "Project", "制造基地": "Project",
    "一期工程": "Project", "二期工程": "Project", "三期工程": "Project", "测试线": "Project",
    "总部": "Project",
}
GENERIC_SUFFIXES = frozenset({
    "局", "厅", "政府", "平台", "项目", "总部", "园区", "新区", "片区", "联盟",
    "学院", "大学", "分中心", "服务中心", "办公室", "产业平台", "集团", "控股", "广场", "公园", "机场",
})

# Suffixes of an appended parenthesis that still belongs to the name:
# 嵊州经济开发区（高新园区）, …新能源制造基地（三期）.
PAREN_CONTINUATIONS = ("园区", "开发区", "高新区", "经开区", "一期", "二期", "三期", "四期")

# Quoted names: “X” followed by one of these is a policy / a platform.
POLICY_HEADS = (
    "攻坚行动", "行动方案", "行动", "工程", "战略", "计划", "规划", "体系", "工作体系", "目标体系",
    "模式", "改革", "试点", "方案", "路径方法", "路径", "工作法", "方法", "新政", "政策",
    "范本", "布局", "发展定位", "定位", "框架", "数改模式", "智能制造", "示范点", "数字化改造",
)
POLICY_NAME_ENDINGS = (
    "工程", "行动", "战略", "计划", "规划", "方案", "体系", "改革", "试点", "政策", "措施",
    "新政", "倡议", "示范点", "工作法", "模式",
)
# Heads that may follow a quoted slogan with 、 inside (“县乡一体、条抓块统”改革).
SLOGAN_POLICY_HEADS = ("改革", "战略", "工程", "行动", "体系")
PLATFORM_HEADS = ("应用", "小程序", "平台", "大平台", "APP", "App", "app", "系统", "大脑")

# Verbs after which a quoted name is a programme being carried out.
POLICY_VERBS = (
    "实施", "推进", "落实", "围绕", "按照", "聚焦", "深化", "构建", "开展", "启动", "贯彻",
    "推行", "首创", "打响", "践行", "参与", "融入", "全面推进", "深入实施",
)
# "以“X”为目标/引领/突破口…": X is a programme.
POLICY_FRAMES = ("为目标", "为引领", "为突破口", "为抓手", "为契机", "为主线", "为牵引", "要求")

# ------------------------------------------------------------------ list heads
# "A、B、C等<head>": the head types the members.
LIST_HEADS: dict[str, str] = {
    "企业": "Company", "公司": "Company", "企业群": "Company", "厂商": "Company",
    "农场": "Company", "渔场": "Company", "工厂": "Company",
    "项目": "Project",
    "产业": "Industry", "产业链": "Industry", "产业集群": "Industry", "集群": "Industry",
    "行业": "Industry", "赛道": "Industry",
    "产品": "Industry",
    "新业态": "Industry", "细分领域": "Industry",
    "创新平台": "IndustrialPark", "创业平台": "IndustrialPark",
    "产业平台": "IndustrialPark", "园区": "IndustrialPark", "科研平台": "ResearchInstitute",
    "研究院": "ResearchInstitute", "应用": "DigitalPlatform", "平台": "Platform",
}
# Words between 等 and the head that do not break the list (…等一批本地龙头企业).
QUANTIFIER_CHARS = frozenset("一二两三四五六七八九十百千万0123456789多余个家项批类条大种")

# A head word after which the leader relation holds (…等互联网头部企业).
LEADER_WORDS = ("龙头企业", "头部企业", "领军企业", "链主企业", "链主型企业", "龙头", "链主", "前列")

# ------------------------------------------------------------------ company names
# Words that end a company's trading name (晶科能源, 水晶光电, 万胜智能): they extend a
# name the model tagged ORG, and mark a list member as a company rather than a product.
COMPANY_ENDINGS = (
    "科技", "能源", "光电", "光能", "电子", "微电子", "微电", "半导体", "智能", "锂电", "国际",
    "网络", "汽车", "太阳能", "中科", "制冷", "机械", "纺织", "股份", "控股", "实业", "材料",
    "电气", "电器", "医药", "生物", "化工", "通信", "软件", "照明", "传媒", "农业",
    "LED", "新材", "精密", "装备", "家居", "厨电", "数码", "信息", "集团",
)
# Caption patterns: "<company>车间", "<company>生产线" …
CAPTION_TAILS = (
    "智能化生产车间", "数字车间", "生产车间", "车间现场", "车间", "厂区", "生产线", "未来工厂",
    "零手动装置", "生产", "园区全景", "全景",
)
# Process words between a company and a caption tail (万里扬|新能源驱动|车间).
PROCESS_WORDS = (
    "新能源驱动", "驱动", "封装", "组装", "装配", "总装", "焊装", "涂装", "冲压", "加工", "制造",
    "光伏组件", "组件", "电池", "智造",
)

# Words that never make a name distinctive on their own.
GENERIC_WORDS = frozenset("""
数字 智能 智慧 科技 创新 产业 经济 信息 技术 综合 国际 现代 特色 重点 新兴 未来 新 高新 高端 先进
省级 市级 县级 国家级 国家 全国 全省 全市 首批 一批 各类 各 该 本地 当地 知名 优质 大型 中小 重大
新型 公共 服务 数据 发展 建设 示范 试点 行业 领域 主要 相关 其他 其它 这些 这个 一个 一家 大 小
多 城市 乡村 区域 地方 核心 基础 龙头 头部 企业 平台 中心 基地 园区 全球 世界 中国 我国 省 市
县 区 镇 产业链 集群 工业 制造 生产 研发 应用 运营 管理 合作 协同 融合 高质量 一流 标杆 两大
三大 四大 五大 十大 各个 多个 高能级 科创 双创 孵化 加速 专业 合作社 新一代 数字化 智能化 共享
高级别 双 攻坚 专项 深入 推进 实施 提升 行动 改革 战略 试点 规划 计划 方案 全面 系统 联动 改造
转型 应用 中小企业 最佳 优秀 十佳 典型 个别 细分 主导 未来 传统 战略性 数字经济 千亿级 百亿级 万亿级
各县 城市群 著名 规模 以上 规上 驱动 优势 不同 支柱 先导 优质 澎湃 传统产业 整个 整条 主要 相关 重点细分 数字产业 产业集群
""".split())

# Words the model tags TIME that name nothing (正午阳光 and 今飞智造 are names, 今年 is not).
TIME_WORDS = frozenset("""
今年 去年 明年 前年 目前 当前 近年 近年来 近日 日前 此前 以来 今后 现在 如今 同时 年底 年初 年内
上午 下午 晚上 春节 过去 近期 开年 年度 当年 今 昨天 今天 明天 期间 之前 之后 此后 随后 最近
""".split())

# Suffixes of policy documents whose names run from the issuing verb (出台|促进…十二条政策措施).
DOCUMENT_SUFFIXES = frozenset({"政策措施", "行动方案", "实施方案", "实施意见", "若干意见", "若干政策", "专项规划"})

# Issuing verbs that begin a policy document's name from the left (出台|促进…政策措施).
POLICY_ISSUE_VERBS = ("出台", "制定", "发布", "印发", "推出", "实施", "落实", "修订", "起草")

# Place-type endings: a LOC word ending like this is a place, not a company named after one.
PLACE_ENDINGS = ("站", "区", "县", "市", "镇", "乡", "村", "湾", "港", "岛", "湖", "山", "江", "河", "路",
                 "街", "口", "桥", "省", "州", "城", "中", "南", "北", "东", "西")

# Subjects of a sentence that stand for the place the article is about.
ANAPHORA = ("该市", "该县", "该区", "当地", "全市", "本地", "该地", "全县", "全区", "我市", "本市")

# Verbs by which a place makes an industry a priority.
PRIORITY_VERBS = (
    "重点发展", "发展", "做强", "做新", "做优", "做大", "布局", "聚焦", "培育", "壮大", "主攻",
    "抢抓", "深耕", "招引", "瞄准", "打造", "推进", "推动", "竞速", "突出", "扶持", "引育", "做精",
)
# Verbs by which a place or body builds, runs or creates a platform.
OPERATE_VERBS = (
    "建设", "打造", "筹建", "构建", "建成", "开发", "创办", "推出", "上线", "挂牌", "规划", "搭建",
    "启用", "运营", "投用", "升级", "提升", "创建", "设立", "成立",
)
# Verbs by which an organisation settles somewhere.
SETTLE_VERBS = ("落户", "入驻", "落地", "坐落", "扎根", "集聚", "云集", "位于", "入园", "接踵而至")

# Technical modifiers that begin the product part of a project's name
# (宏碁|硅基微型显示芯片, 中电海康|智慧交通总部, 麦田能源|扩产50GW项目).
PRODUCT_MODIFIERS = (
    "硅基", "微型", "高效", "智慧", "自适应", "扩产", "年产", "新建", "技改", "高性能", "大尺寸",
    "总部", "生产基地", "研发基地", "测试线", "生产线", "产业基地", "锂电池", "电池", "芯片",
)

# Government bodies named by their level alone (省委 = the provincial party committee).
STANDALONE_BODIES = frozenset({"省委", "省政府", "市委", "市政府", "县委", "县政府", "区委", "区政府"})

# Superlatives describe, they do not name: 全球最大精密光电薄膜元器件生产基地.
SUPERLATIVES = ("最大", "最早", "最高", "最强", "最全", "首个", "唯一", "第一", "领先", "最具")

# Verbs the model sometimes tags as nouns; they never stand inside a name.
CLAUSE_VERBS = frozenset((*PRIORITY_VERBS, *OPERATE_VERBS, *POLICY_VERBS, *SETTLE_VERBS,
                          "引进", "吸引", "形成", "实现", "推广", "加快", "支持", "依托", "带动", "迭代",
                          "接轨", "梳理", "谋划"))

# Nouns that may follow an industry word without making a compound of it.
INDUSTRY_FOLLOWERS = frozenset({"产业", "产业链", "产业集群", "集群", "行业", "领域", "企业", "赛道", "业",
                                "板块", "方面", "业态", "全产业链", "全行业", "发展", "头部", "龙头", "领军",
                                "链主", "新赛道", "产能", "基地", "项目"})

# Verbs that end a programme's name on its left (深入实施|智能制造五年提升行动).
POLICY_BOUNDARY_VERBS = frozenset((*POLICY_VERBS, *POLICY_ISSUE_VERBS, "以", "自", "入选", "获批", "创建", "依托",
                                   "作为", "通过", "列入", "纳入", "是", "为", "在", "和", "与", "及", "等", "的"))
# Verbs by which a place brings in a company (金华引进龙芯中科).
ATTRACT_VERBS = ("引进", "引入", "招引来")

# Verbs the model sometimes glues inside an organisation's name (宁波市建成|甬江数据中心).
GLUED_VERBS = ("建成", "打造", "筹建", "构建", "创办", "推出", "启用", "引进", "成立", "挂牌", "建设")
