"""The access request's printable page (个人信息查阅)."""
