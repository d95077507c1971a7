"""`workbook users`: the accounts of `workbook app` (add, remove, list) in the users file."""

from __future__ import annotations

import argparse
import sys

from workbook.cli._common import add_lang

NAME = "users"
HELP = "Manage the accounts of `workbook app` in a users file (add, remove, list)."
# each role's name in `list`, as the command's --lang says it
ROLE_KEYS = {"view": "users.role.view", "plan": "users.role.plan", "admin": "users.role.admin"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = sub.add_parser(
        "add",
        help="add an account or change one (password, grants)",
        description="Add an account or change one. The password is asked twice on the terminal "
        "(or read from one line of standard input with --password-stdin) and stored as an "
        "argon2 hash, never in clear.",
    )
    add.add_argument("name", help="user name (letters, digits, . _ - @)")
    add.add_argument(
        "--grant",
        action="append",
        default=[],
        metavar="ZONE=ROLE",
        help="grant a role on a zone (params file name, or * for every zone); roles: "
        "view/查看, plan/规划, admin/管理; repeat for several zones",
    )
    add.add_argument(
        "--only", action="store_true", help="the grants given replace the account's grants"
    )
    how = add.add_mutually_exclusive_group()
    how.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    how.add_argument(
        "--sso",
        action="store_true",
        help="no password: the account logs in only through the proxy's --trusted-header",
    )
    how.add_argument(
        "--keep-password", action="store_true", help="change grants, keep the password"
    )
    rm = sub.add_parser("remove", help="remove an account", description="Remove an account.")
    rm.add_argument("name")
    sub.add_parser("list", help="list accounts and grants", description="List the accounts.")
    for q in (add, rm, sub.choices["list"]):
        q.add_argument("--users", required=True, metavar="FILE", help="the users file (JSON)")
        add_lang(q)


def _password(args: argparse.Namespace) -> str | None:
    from workbook.text.errors import InputError
    from workbook.text.messages import Message

    if args.sso:
        return ""
    if args.keep_password:
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("密码 / password: ")
    if getpass.getpass("再输一次 / again: ") != first:
        raise InputError(Message("users.passwords_differ"))
    return first


def run(args: argparse.Namespace) -> int:
    from workbook.planners.users import add_user, load_users, remove_user
    from workbook.text.catalogue import say
    from workbook.text.errors import InputError
    from workbook.text.messages import Message

    lang = args.lang
    if args.action == "add":
        grants = {}
        for g in args.grant:
            zone, eq, role = g.partition("=")
            if not eq:
                raise InputError(Message("users.grant", found=g))
            grants[zone.strip()] = role.strip()
        user = add_user(args.users, args.name, _password(args), grants, args.only)
        print(Message("users.saved", name=user.name, file=args.users).render(lang))
    elif args.action == "remove":
        remove_user(args.users, args.name)
        print(Message("users.removed", name=args.name, file=args.users).render(lang))
    else:
        for user in load_users(args.users).values():
            granted = sorted(user.zones.items())
            shown = ", ".join(f"{z}={say(ROLE_KEYS[r], lang)}" for z, r in granted)
            login = say("users.login_password" if user.password else "users.login_sso", lang)
            print(f"{user.name}\t{login}\t{shown or '-'}")
    return 0
