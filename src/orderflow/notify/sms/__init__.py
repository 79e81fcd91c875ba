"""SMS delivery: provider adapters (Aliyun, Tencent Cloud, Twilio), a local sink, segments."""

from orderflow.notify.sms.aliyun import AliyunSms
from orderflow.notify.sms.local import LocalSmsSink, recent
from orderflow.notify.sms.segments import SegmentCount, count_segments, count_segments_cn
from orderflow.notify.sms.templates import ProviderTemplate
from orderflow.notify.sms.tencent import TencentSms
from orderflow.notify.sms.twilio import TwilioSms

__all__ = [
    "AliyunSms",
    "LocalSmsSink",
    "ProviderTemplate",
    "SegmentCount",
    "TencentSms",
    "TwilioSms",
    "count_segments",
    "count_segments_cn",
    "recent",
]
