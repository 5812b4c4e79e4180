from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "scoretrack.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # lib's pages, forms and `visible_to` ask the scoping rules through its hooks.
        from scoretrack.accounts import scoping
        from scoretrack.lib import hooks

        hooks.install_scoping(
            hooks.Scoping(
                scope=scoping.scope,
                may_write=scoping.may_write,
                may_write_kind=scoping.may_write_kind,
                countries_to_write=scoping.countries_to_write,
            )
        )
