"""What mediators write: summaries, session notes, agreement terms and reasons, per matter.

`{amount}` stands for a sum in yuan. Written for the demo from the kinds of disputes the
bureau's report names (家事, 商事, 物业事); no real case is quoted.
"""

from __future__ import annotations

from domain.values import Fulfilment, Referral, RiskLevel

SUMMARIES: dict[str, tuple[str, ...]] = {
    "marriage": (
        "离婚后子女抚养费给付纠纷，申请人要求按月支付抚养费",
        "婚后共同财产分割纠纷，双方就房产归属争执不下",
        "夫妻因家庭琐事长期争吵，女方要求调解",
        "离婚后探望权行使纠纷，双方对探望时间安排意见不一",
    ),
    "inheritance": (
        "父母去世后兄弟姐妹对老宅继承份额产生争议",
        "遗嘱效力存在争议，子女对存款分配意见不一",
        "拆迁补偿款在继承人之间的分配纠纷",
    ),
    "support": (
        "子女未按约定支付老人赡养费",
        "老人要求子女轮流照料，子女之间相互推诿",
        "老人住院医药费分担引发赡养纠纷",
    ),
    "neighbour": (
        "楼上卫生间漏水导致楼下天花板受损",
        "邻居长期占用公共楼道堆放杂物",
        "相邻房屋加建影响采光引发争执",
        "饲养犬只扰邻并咬伤邻居",
    ),
    "contract": (
        "装修工程质量不合格，业主拒付工程尾款",
        "房屋租赁合同提前解约，押金退还发生争议",
        "货物买卖合同货款结算纠纷",
    ),
    "debt": (
        "民间借贷到期未还，出借人多次催要未果",
        "个人借款逾期，双方对利息计算有争议",
        "合伙经营结束后欠款清偿纠纷",
    ),
    "labour": (
        "拖欠工资纠纷，申请人离职后工资未结清",
        "员工工作中受伤，工伤待遇赔偿纠纷",
        "解除劳动合同经济补偿金纠纷",
        "建筑工地农民工工资结算纠纷",
    ),
    "consumer": (
        "健身房闭店，预付卡余额退款纠纷",
        "网购家电质量问题退换货纠纷",
        "教育培训机构退费纠纷",
        "餐饮消费时摔伤引发赔偿纠纷",
    ),
    "fees": (
        "业主以服务质量差为由拒交物业费",
        "物业公司催缴业主拖欠多年的物业费",
        "公共能耗费用分摊方式引发争议",
    ),
    "repairs": (
        "电梯长期故障，维修资金使用发生争议",
        "外墙渗水维修责任纠纷",
        "地下车库积水导致车辆受损的赔偿纠纷",
    ),
    "parking": (
        "业主固定车位长期被他人占用",
        "小区停车费上涨引发业主不满",
        "电动汽车充电桩安装受阻纠纷",
    ),
    "nuisance": (
        "广场舞音响噪音扰民",
        "沿街商铺油烟扰民",
        "夜间装修噪音扰民纠纷",
        "违章搭建影响消防通道通行",
    ),
}

FIRST_SESSION = (
    "分别听取双方陈述，核实争议事实，释明相关法律规定",
    "组织双方面对面调解，梳理争议焦点",
    "上门走访了解情况，听取双方诉求",
)
LATER_SESSION = (
    "背靠背做双方工作，缩小分歧",
    "邀请社区网格员、律师参与调解，提出调解方案",
    "再次组织双方协商，对方案细节进行沟通",
)
CLOSING_SESSION = (
    "双方就处理方案达成一致意见",
    "当事人对调解方案表示认可，同意签订协议",
)

MONEY_TERMS = (
    "被申请人于{days}日内一次性支付申请人{amount}元，双方就此纠纷再无其他争议",
    "被申请人分{days}个月支付申请人{amount}元，逾期未付按原请求承担责任",
)
TERMS: dict[str, tuple[str, ...]] = {
    "marriage": ("双方约定子女随母亲生活，男方每月支付抚养费并按月探望",),
    "inheritance": ("房产由长子继承，长子向其他继承人支付折价款，各方签字确认",),
    "support": ("子女轮流照料老人，每人每月支付赡养费，医药费按份额分担",),
    "neighbour": (
        "被申请人负责修复渗漏点，双方和好如初",
        "被申请人清理楼道杂物，今后保持公共通道畅通",
    ),
    "parking": ("物业公司加强车位管理，占用方另行租用车位",),
    "nuisance": (
        "活动时间调整至晚八点半前，音量控制在规定范围内",
        "商铺加装油烟净化设备，限期整改到位",
    ),
    "repairs": ("物业公司负责维修，费用由维修资金列支",),
}
DEFAULT_TERMS = ("双方互谅互让，按调解方案履行，今后友好相处",)

REFERRAL_NOTES = {
    Referral.LITIGATION: "双方分歧较大，告知申请人可依法向人民法院起诉",
    Referral.ARBITRATION: "引导申请人向劳动人事争议仲裁委员会申请仲裁",
    Referral.ADMINISTRATIVE: "移送相关行政主管部门依法处理",
    Referral.OTHER: "建议当事人通过其他途径解决",
}
WITHDRAWN_NOTES = (
    "双方自行和解，申请人撤回调解申请",
    "被申请人明确拒绝调解",
    "申请人撤回调解申请",
)

RISK_REASONS = {
    RiskLevel.YELLOW: ("当事人情绪激动，需持续关注", "纠纷反复发生，存在激化可能"),
    RiskLevel.ORANGE: ("当事人扬言到上级部门上访", "涉及多户居民，有聚集苗头"),
    RiskLevel.RED: ("当事人扬言采取过激行为，已通报辖区派出所", "涉及人数较多，存在群体性事件风险"),
    RiskLevel.NONE: ("经调解当事人情绪平稳，风险解除",),
}
EXTENSION_REASONS = (
    "案情复杂，需等待损失鉴定结果，双方同意延长调解期限",
    "一方当事人外出务工，双方同意延期调解",
)
CORRECTION_REASONS = {
    "subcategory": "受理时纠纷类型登记有误，予以更正",
    "claim_amount": "申请人补充提交证据，更正请求金额",
    "parties": "核对当事人身份证件，更正被申请人姓名",
    "channel": "纠纷来源登记有误，予以更正",
}
FOLLOW_UP_NOTES = {
    Fulfilment.FULFILLED: "协议已全部履行，当事人表示满意",
    Fulfilment.PARTIAL: "已履行部分内容，剩余部分约定分期履行",
    Fulfilment.UNFULFILLED: "被申请人尚未履行，调解员继续督促",
}
ROUTING_NOTES = {
    "professional": "纠纷专业性较强，交专业调解委员会办理",
    "enterprise": "涉企纠纷，交企业调解组织就地化解",
    "urgent": "信访转办件，限期办结",
}
