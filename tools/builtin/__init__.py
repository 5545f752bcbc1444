"""Built-in tools, registered on import: calendar booking, CRM writeback, SMS, transfer."""

from tools.builtin.calendar import (
    book_appointment,
    cancel_appointment,
    find_availability,
    find_booking,
    reschedule_appointment,
)
from tools.builtin.crm import crm_writeback
from tools.builtin.sms import send_sms_confirmation
from tools.builtin.transfer import TransferRequested, transfer_to_human

BUILTIN_TOOLS = (
    "book_appointment",
    "cancel_appointment",
    "crm_writeback",
    "find_availability",
    "find_booking",
    "reschedule_appointment",
    "send_sms_confirmation",
    "transfer_to_human",
)

__all__ = [
    "BUILTIN_TOOLS",
    "TransferRequested",
    "book_appointment",
    "cancel_appointment",
    "crm_writeback",
    "find_availability",
    "find_booking",
    "reschedule_appointment",
    "send_sms_confirmation",
    "transfer_to_human",
]
