"""Requests for data products (申请使用/咨询): request, quote, accept or refuse, and the
requester's answer to a quote."""
