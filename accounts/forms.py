from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password


class SignupForm(AllauthSignupForm):
    def try_save(self, request):
        """Sign up, or (for a known email) send the "you already have an account" mail instead.

        allauth answers both the same way (ACCOUNT_PREVENT_ENUMERATION), but a new account hashes
        its password and a known email did not: 16 ms against 305 ms told which emails have an
        account. Hash the password either way, so both cost one hash.
        """
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or "")
        return super().try_save(request)
