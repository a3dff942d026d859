from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView
from django.http import HttpResponse

from respond.accounts.mfa import record_enrolment
from respond.core.audit import Auditor


class EnrolTotpView(ActivateTOTPView):
    def form_valid(self, form) -> HttpResponse:  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        totp = Authenticator.objects.get(user=self.request.user, type=Authenticator.Type.TOTP)
        record_enrolment(self.request, totp.pk)
        Auditor.from_request(self.request).log("mfa.totp_enrolled", self.request.user)  # type: ignore[arg-type]
        return response
