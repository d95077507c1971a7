"""deploy/jupyterhub/jupyterhub_config.py read as JupyterHub reads it (traitlets' loader), for
each login it offers: no hub is started here (that is `make hub-test`, tests/test_jupyterhub.py).
"""

from __future__ import annotations

import os

import pytest
from traitlets.config.loader import PyFileConfigLoader

from tests.conftest import REPO

CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"


def load(monkeypatch, tmp_path, **settings):
    """The config with these WORKBOOK_HUB_* settings (the rest cleared: the file's defaults)."""
    for name in list(os.environ):
        if name.startswith("WORKBOOK_HUB_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("WORKBOOK_HUB_STATE_DIR", str(tmp_path))
    for name, value in settings.items():
        monkeypatch.setenv(f"WORKBOOK_HUB_{name}", value)
    return PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()


def test_the_default_is_pam_with_a_system_account_per_planner(monkeypatch, tmp_path):
    c = load(monkeypatch, tmp_path)
    assert "authenticator_class" not in c.JupyterHub  # JupyterHub's default: PAM
    assert c.JupyterHub.spawner_class == "localprocess"
    assert c.JupyterHub.port == 8000
    assert c.JupyterHub.db_url == f"sqlite:///{tmp_path / 'jupyterhub.sqlite'}"
    assert "--ServerApp.allow_root=True" not in c.Spawner.args


@pytest.mark.parametrize(
    ("auth", "cls"),
    [
        ("ldap", "ldapauthenticator.LDAPAuthenticator"),
        ("oauth", "oauthenticator.generic.GenericOAuthenticator"),
    ],
)
def test_ldap_and_oauth_set_their_authenticator_and_the_allowed_and_admin_users(
    monkeypatch, tmp_path, auth, cls
):
    c = load(monkeypatch, tmp_path, AUTH=auth, ALLOWED_USERS="wang,li", ADMIN_USERS="zhao")
    assert c.JupyterHub.authenticator_class == cls
    assert c.Authenticator.allowed_users == {"wang", "li"}
    assert c.Authenticator.admin_users == {"zhao"}


@pytest.mark.parametrize(
    ("auth", "module", "name"),
    [
        ("ldap", "ldapauthenticator", "LDAPAuthenticator"),
        ("oauth", "oauthenticator.generic", "GenericOAuthenticator"),
    ],
)
def test_every_setting_of_an_authenticator_is_one_it_has(monkeypatch, tmp_path, auth, module, name):
    """A misspelt setting would be ignored by JupyterHub with a warning: the login then
    silently differs from the recipe. Needs the `hub` extra (skipped without it)."""
    cls = getattr(pytest.importorskip(module), name)
    c = load(monkeypatch, tmp_path, AUTH=auth)
    assert set(c[name]) and set(c[name]) <= set(cls.class_trait_names())
    spawner = pytest.importorskip("jupyterhub.spawner").LocalProcessSpawner
    assert set(c.Spawner) <= set(spawner.class_trait_names())


def test_ldap_binds_with_the_bureaus_dn_template(monkeypatch, tmp_path):
    dn = "uid={username},ou=staff,dc=zsj,dc=gov,dc=cn"
    c = load(monkeypatch, tmp_path, AUTH="ldap", LDAP_SERVER="ldap.zsj", LDAP_BIND_DN=dn)
    assert c.LDAPAuthenticator.server_address == "ldap.zsj"
    assert c.LDAPAuthenticator.bind_dn_template == [dn]


def test_oauth_takes_its_endpoints_from_the_sso_address_and_its_secret_from_the_environment(
    monkeypatch, tmp_path
):
    c = load(
        monkeypatch,
        tmp_path,
        AUTH="oauth",
        OAUTH_URL="https://sso.city/oauth2",
        OAUTH_CLIENT_SECRET="s3cret",
    )
    assert c.GenericOAuthenticator.token_url == "https://sso.city/oauth2/token"
    assert c.GenericOAuthenticator.userdata_url == "https://sso.city/oauth2/userinfo"
    assert c.GenericOAuthenticator.client_secret == "s3cret"
    assert "s3cret" not in CONFIG.read_text(encoding="utf-8")


def test_an_unknown_login_is_refused(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="kerberos"):
        load(monkeypatch, tmp_path, AUTH="kerberos")


def test_each_server_is_voila_on_the_planners_with_the_zone_and_the_culler_timeout(
    monkeypatch, tmp_path
):
    params = str(REPO / "params" / "jining-2020.yaml")
    c = load(monkeypatch, tmp_path, PARAMS=params, NOTEBOOKS_DIR="/srv/nb", IDLE_TIMEOUT="1800")
    assert c.Spawner.cmd[1:] == ["-m", "jupyterhub.singleuser"]
    assert c.Spawner.notebook_dir == "/srv/nb"
    assert c.Spawner.default_url == "/voila/render/scenario_planner.ipynb"
    assert "--VoilaConfiguration.template=workbook" in c.Spawner.args
    assert "--VoilaConfiguration.strip_sources=True" in c.Spawner.args
    env = c.Spawner.environment
    assert env["WORKBOOK_PARAMS"] == params
    assert env["WORKBOOK_LANG"] == "zh"
    assert "WORKBOOK_AS_OF" not in env
    (culler,) = c.JupyterHub.services
    assert culler["command"][1:] == [
        "-m",
        "jupyterhub_idle_culler",
        "--timeout=1800",
        "--cull-every=180",
    ]
    (role,) = c.JupyterHub.load_roles
    assert role["services"] == [culler["name"]]
    assert "delete:servers" in role["scopes"]
