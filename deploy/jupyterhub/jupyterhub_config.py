# JupyterHub for the planners, when one `workbook app` is outgrown.
#
#   pip install 'workbook[hub]'                  # jupyterhub, the idle culler, the authenticators
#   npm install -g configurable-http-proxy       # the hub's proxy (Node.js)
#   jupyterhub -f deploy/jupyterhub/jupyterhub_config.py
#
# Each planner logs in to the hub (LDAP, the city's SSO through OAuth, or the machine's own
# accounts) and gets a server of their own: `jupyterhub-singleuser` (jupyter-server) with Voila,
# opening on the planner notebooks with the code hidden, in the workbook page template. A
# server nobody has used for IDLE_TIMEOUT seconds is stopped by the idle culler, so memory
# comes back. Everything a bureau edits is in the block below; each value can also be given as
# an environment variable of the same name (WORKBOOK_HUB_...), which is how the smoke test
# (tests/test_jupyterhub.py, `make hub-test`) runs this file unchanged on one machine.

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file


def setting(name: str, default: str) -> str:
    return os.environ.get(f"WORKBOOK_HUB_{name}", default)


# ---- what a bureau edits -----------------------------------------------------------------
# Where the public sees the hub (put HTTPS in front: nginx, or c.JupyterHub.ssl_cert/ssl_key).
HUB_IP = setting("IP", "0.0.0.0")
HUB_PORT = int(setting("PORT", "8000"))
# Inside the machine: the hub's own port (behind the proxy) and the proxy's API port.
HUB_INTERNAL_PORT = int(setting("INTERNAL_PORT", "8081"))
PROXY_API_PORT = int(setting("PROXY_API_PORT", "8001"))
# The hub's own files: its database, cookie secret and proxy token. Readable by the hub only.
STATE_DIR = Path(setting("STATE_DIR", "/srv/jupyterhub"))
# Which login: "ldap" (the bureau's directory), "oauth" (the city's SSO), "pam" (this
# machine's accounts, the hub's default) or "dummy" (one shared password: tests only).
AUTH = setting("AUTH", "pam")
# Who may log in, and who administers the hub (starts/stops others' servers). Comma-separated.
ALLOWED_USERS = {u for u in setting("ALLOWED_USERS", "").split(",") if u}
ADMIN_USERS = {u for u in setting("ADMIN_USERS", "").split(",") if u}
# The planner notebooks and the zone they open (a params file: see params/ and the README).
# The defaults are an installed workbook's copies; point them at a checkout or a shared folder.
NOTEBOOKS_DIR = setting("NOTEBOOKS_DIR", "")
ZONE_PARAMS = setting("PARAMS", "")
AS_OF = setting("AS_OF", "")  # empty: the planners take the last day with data
LANG = setting("LANG", "zh")  # the planners' language: zh or en
FIRST_PAGE = setting("FIRST_PAGE", "scenario_planner.ipynb")  # the page a login lands on
# A server left unused this long (seconds) is stopped; the planner's next visit starts it again.
IDLE_TIMEOUT = int(setting("IDLE_TIMEOUT", "3600"))
# The proxy's command: `configurable-http-proxy` on the PATH, or a full path to it.
PROXY_COMMAND = setting("PROXY_COMMAND", "configurable-http-proxy")
# ------------------------------------------------------------------------------------------

if not NOTEBOOKS_DIR or not ZONE_PARAMS:
    # The installed package knows where its notebooks and its sample zone are.
    from workbook.text.resources import notebooks_dir, sample_params

    NOTEBOOKS_DIR = NOTEBOOKS_DIR or str(notebooks_dir())
    ZONE_PARAMS = ZONE_PARAMS or str(sample_params())

# The workbook Voila template (the lab template minus its CDN links) sits in the package.
from workbook.planners.app import JUPYTER_DIR, TEMPLATE  # noqa: E402

# ---- the hub -----------------------------------------------------------------------------
c.JupyterHub.ip = HUB_IP
c.JupyterHub.port = HUB_PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = HUB_INTERNAL_PORT
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.JupyterHub.db_url = f"sqlite:///{STATE_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE_DIR / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE_DIR / "jupyterhub-proxy.pid")
c.ConfigurableHTTPProxy.command = [PROXY_COMMAND]
# A hub restart (an upgrade, a new config) leaves the planners' servers running.
c.JupyterHub.cleanup_servers = False

# ---- who logs in -------------------------------------------------------------------------
c.Authenticator.allowed_users = ALLOWED_USERS
c.Authenticator.admin_users = ADMIN_USERS

if AUTH == "ldap":
    # pip install jupyterhub-ldapauthenticator (in the `hub` extra). A planner logs in with
    # their directory name and password; the hub binds as them to check it.
    c.JupyterHub.authenticator_class = "ldapauthenticator.LDAPAuthenticator"
    c.LDAPAuthenticator.server_address = setting("LDAP_SERVER", "ldap.example.gov.cn")
    c.LDAPAuthenticator.server_port = 636
    c.LDAPAuthenticator.tls_strategy = "on_connect"  # LDAPS; "before_bind" for STARTTLS on 389
    # Either bind straight as the user ...
    c.LDAPAuthenticator.bind_dn_template = [
        setting("LDAP_BIND_DN", "uid={username},ou=people,dc=example,dc=gov,dc=cn"),
    ]
    # ... or look the user up first with a service account (uncomment, and drop the above):
    # c.LDAPAuthenticator.lookup_dn = True
    # c.LDAPAuthenticator.lookup_dn_search_user = "cn=jupyterhub,ou=services,dc=example,dc=gov,dc=cn"
    # c.LDAPAuthenticator.lookup_dn_search_password = os.environ["WORKBOOK_HUB_LDAP_PASSWORD"]
    # c.LDAPAuthenticator.user_search_base = "ou=people,dc=example,dc=gov,dc=cn"
    # c.LDAPAuthenticator.user_attribute = "uid"
    # Everyone in the planners' group may log in (instead of listing ALLOWED_USERS):
    # c.LDAPAuthenticator.allowed_groups = ["cn=planners,ou=groups,dc=example,dc=gov,dc=cn"]
elif AUTH == "oauth":
    # pip install oauthenticator (in the `hub` extra). The city's single sign-on, if it speaks
    # OAuth 2 / OpenID Connect: register the hub there with this callback URL, and put the
    # client id and secret in the environment (never in this file).
    c.JupyterHub.authenticator_class = "oauthenticator.generic.GenericOAuthenticator"
    sso = setting("OAUTH_URL", "https://sso.example.gov.cn/oauth2")
    c.GenericOAuthenticator.client_id = os.environ.get("WORKBOOK_HUB_OAUTH_CLIENT_ID", "")
    c.GenericOAuthenticator.client_secret = os.environ.get("WORKBOOK_HUB_OAUTH_CLIENT_SECRET", "")
    c.GenericOAuthenticator.oauth_callback_url = setting(
        "OAUTH_CALLBACK", "https://planners.example.gov.cn/hub/oauth_callback"
    )
    c.GenericOAuthenticator.authorize_url = f"{sso}/authorize"
    c.GenericOAuthenticator.token_url = f"{sso}/token"
    c.GenericOAuthenticator.userdata_url = f"{sso}/userinfo"
    c.GenericOAuthenticator.scope = ["openid", "profile"]
    c.GenericOAuthenticator.username_claim = "preferred_username"
    # Everyone the SSO lets in, or only ALLOWED_USERS (the default: False):
    # c.GenericOAuthenticator.allow_all = True
elif AUTH == "dummy":
    # Any listed user name with this one password: for the smoke test on one machine only.
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ["WORKBOOK_HUB_DUMMY_PASSWORD"]
elif AUTH != "pam":
    raise ValueError(f"WORKBOOK_HUB_AUTH: ldap, oauth, pam or dummy, not {AUTH!r}")
# "pam": JupyterHub's default, the accounts of this machine (the hub then runs as root).

# ---- each planner's server ---------------------------------------------------------------
test_args: list[str] = []
if AUTH == "dummy":
    # The smoke test: every server runs as the hub's own user, in a folder of its own.
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE_DIR / "home" / "{username}")
    if os.geteuid() == 0:  # a test container: jupyter-server refuses root unless told
        test_args = ["--ServerApp.allow_root=True"]
else:
    # A system account per planner (LDAP/SSO names need one: create them, e.g. with sssd).
    # For many planners, or several machines, use DockerSpawner or KubeSpawner instead.
    c.JupyterHub.spawner_class = "localprocess"

# jupyter-server (with the hub's login) plus Voila as its extension: the planners at
# /user/<name>/voila/render/<notebook>, code hidden, in the workbook page template.
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.notebook_dir = NOTEBOOKS_DIR
c.Spawner.default_url = f"/voila/render/{FIRST_PAGE}"
c.Spawner.args = [
    *test_args,
    f"--VoilaConfiguration.template={TEMPLATE}",
    "--VoilaConfiguration.strip_sources=True",
    "--VoilaConfiguration.show_tracebacks=False",  # details go to the server's log only
    f"--HTMLExporter.language_code={LANG}",
    # Only the planners: no JupyterLab, terminals or language servers next to Voila.
    "--ServerApp.jpserver_extensions=jupyterlab=False",
    "--ServerApp.jpserver_extensions=notebook_shim=False",
    "--ServerApp.jpserver_extensions=jupyter_lsp=False",
    "--ServerApp.jpserver_extensions=jupyter_server_terminals=False",
    "--ServerApp.terminals_enabled=False",
    # A planner's kernel idle for 10 minutes with no page open is shut down.
    "--MappingKernelManager.cull_idle_timeout=600",
    "--MappingKernelManager.cull_interval=60",
    "--MappingKernelManager.cull_connected=False",
]


def planner_folder(spawner) -> str:
    """The planner's own folder (their home, which the spawner starts the server in): exports
    and the reviews the planners list go to its reports/."""
    return getattr(spawner, "home_dir", "") or os.path.expanduser(f"~{spawner.user.name}")


# What the planner notebooks read: their zone, date and language. A value may be a callable,
# which JupyterHub calls with the spawner at each start.
c.Spawner.environment = {
    "WORKBOOK_PARAMS": ZONE_PARAMS,
    "WORKBOOK_LANG": LANG,
    "WORKBOOK_WORKDIR": planner_folder,
    "JUPYTER_PATH": str(JUPYTER_DIR),  # where Voila finds the workbook template
    **({"WORKBOOK_AS_OF": AS_OF} if AS_OF else {}),
}
c.Spawner.start_timeout = 120  # a planner's first page executes the notebook
c.Spawner.http_timeout = 60
c.Spawner.mem_limit = "2G"  # advisory for the local spawner; enforced by Docker/Kubernetes

# ---- the idle culler ---------------------------------------------------------------------
# Stops a planner's server after IDLE_TIMEOUT seconds without use (pip install
# jupyterhub-idle-culler, in the `hub` extra). The service gets only the rights it needs.
c.JupyterHub.load_roles = [
    {
        "name": "jupyterhub-idle-culler-role",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["jupyterhub-idle-culler-service"],
    }
]
c.JupyterHub.services = [
    {
        "name": "jupyterhub-idle-culler-service",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={IDLE_TIMEOUT}",
            f"--cull-every={max(10, min(600, IDLE_TIMEOUT // 10))}",
        ],
    }
]
