"""Whose kernel is whose, and how many there may be.

A planner page gets its kernel (from Voila's preheated pool or freshly started) only for a
logged-in user, and the kernel is then that user's: only its owner may talk to it (its
websocket, `/api/kernels/<id>`, the page-closed shutdown beacon). `KernelSeats` counts the
kernels handed to pages (the preheated pool is the app's baseline and not counted) and refuses
a new page when the server holds `max_kernels` of them or the user `per_user` (the page then
says the server is busy). A seat is reserved before the page asks Voila for a kernel and given
back when the page is done, so pages opened at the same moment cannot overshoot the caps.

`PAGE_OWNER` carries the user of the page being rendered into the kernel manager, which records
the kernel it hands out (`WorkbookKernelManager.claim`). Pure Python: the tornado side is in
`workbook.planners.voila_app`.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

DEFAULT_MAX_KERNELS = 10  # ~550 MB each: size it to the server's memory (README)
DEFAULT_PER_USER = 3  # both planners and a page being reloaded


@dataclass(eq=False)
class Seat:
    """One page's reservation: its user, and whether it has become a kernel yet."""

    user: str
    kernel_id: str | None = None
    env: dict[str, str] = field(default_factory=dict)  # for a kernel started for this page
    role: str = "plan"  # the user's role on the page's zone


PAGE_OWNER: contextvars.ContextVar[Seat | None] = contextvars.ContextVar(
    "workbook_page_owner", default=None
)


@dataclass
class KernelSeats:
    """Owners of the kernels handed to pages, and the reservations of pages being opened."""

    max_kernels: int = DEFAULT_MAX_KERNELS
    per_user: int = DEFAULT_PER_USER
    owners: dict[str, str] = field(default_factory=dict)  # kernel id -> user name
    pending: list[Seat] = field(default_factory=list)  # pages being opened, no kernel yet

    def held(self, user: str | None = None) -> int:
        """Kernels held (handed out or being handed out), by everyone or by `user`."""
        users = list(self.owners.values()) + [s.user for s in self.pending]
        return len(users) if user is None else users.count(user)

    def reserve(self, user: str) -> Seat | None:
        """A seat for a page `user` is opening, or None when a cap is reached."""
        if self.held() >= self.max_kernels or self.held(user) >= self.per_user:
            return None
        seat = Seat(user)
        self.pending.append(seat)
        return seat

    def claim(self, seat: Seat, kernel_id: str) -> None:
        """The page of `seat` was handed `kernel_id`: the reservation becomes the kernel."""
        seat.kernel_id = kernel_id
        self.owners[kernel_id] = seat.user
        self.release(seat)

    def release(self, seat: Seat) -> None:
        """The page is done (rendered, failed or gone): a reservation not used is given back."""
        if seat in self.pending:
            self.pending.remove(seat)

    def forget(self, kernel_id: str) -> None:
        """The kernel was shut down: its seat is free."""
        self.owners.pop(kernel_id, None)

    def owner(self, kernel_id: str) -> str | None:
        return self.owners.get(kernel_id)
