"""The operator's side of authorized operation: usage counted under each agreement, the yearly
efficiency evaluation (效能评估) and the operator's workspace (``/operation/``)."""
