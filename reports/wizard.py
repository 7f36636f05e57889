"""The machinery every report wizard uses: a draft kept in the database, named step URLs,
back and "save and continue later" that keep what was typed, a check-your-answers page,
and submission only from there.

It builds on formtools' NamedUrlWizardView (forms per step, conditions, step helpers) but
replaces its request handling where formtools is known to lose data:
- formtools' storage changes `storage.data` in place, so a storage whose `data` is a
  property over the database would never save (jazzband/django-formtools#289).
  `DraftStorage` loads the draft ONCE per request into a plain dict and writes it back
  ONCE at the end, and only if it changed.
- Its "previous" button (`wizard_goto_step`) throws the current step's input away and,
  with conditional steps, may even validate and move forward (#277). Here "back" and
  "save and continue later" store the step's input unvalidated, then move.
- Uploaded files vanish after going back or at `done` (#130, #207, #191): here an
  accepted upload becomes a ReportFile of the report at once, and the forms are told
  about the files the report already has.
- Steps never visited fail the final revalidation and send the user off to some step:
  here the check page shows each step as complete or not, with a link to it, and
  submission is refused (nothing changes) until every active step is complete.
- Conditions read only stored answers (never the current step), so "previous" and the
  step count are the same whichever page asks.
"""

import copy
import functools
import json
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import date as date_filter, yesno
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from formtools.wizard.storage.base import BaseStorage
from formtools.wizard.views import NamedUrlWizardView, StepsHelper

from now_portal.url_formats import url_format

from . import direct_upload, lifecycle, uploads
from .models import Report, ReportStatus, owned_report_with_application

CHECK_STEP = "pruefen"
RETURN_TO_CHECK = "zur_pruefung"


@dataclass(frozen=True)
class DirectUpload:
    field: forms.BoundField
    form: direct_upload.UploadForm


class DraftStorage(BaseStorage):
    """formtools storage over `Report.wizard_state` and `Report.current_step`."""

    def __init__(self, prefix, request=None, file_storage=None, *, report: Report):
        super().__init__(prefix, request, file_storage)
        self.report = report
        state = copy.deepcopy(report.wizard_state or {})
        self.data = {
            self.step_key: report.current_step or None,
            self.step_data_key: state.get(self.step_data_key, {}),
            self.step_files_key: {},
            self.extra_data_key: state.get(self.extra_data_key, {}),
        }
        self._saved = self._snapshot()

    def _snapshot(self) -> str:
        return json.dumps(self.data, sort_keys=True)

    # Files are never kept by the storage: an accepted upload is a ReportFile at once.
    def set_step_files(self, step, files):
        return None

    def get_step_files(self, step):
        return None

    def reset(self):
        self.init_data()

    def has_step_data(self, step) -> bool:
        return step in self.data[self.step_data_key]

    def save(self) -> bool:
        """Write the draft if it changed. Only a draft is written: a request that arrives
        after submission (a second tab) cannot change a submitted report."""
        if self._snapshot() == self._saved:
            return False
        state = {
            self.step_data_key: self.data[self.step_data_key],
            self.extra_data_key: self.data[self.extra_data_key],
        }
        current = self.data[self.step_key] or ""
        Report.objects.filter(pk=self.report.pk, status=ReportStatus.DRAFT).update(
            wizard_state=state, current_step=current, updated_at=timezone.now()
        )
        self.report.wizard_state, self.report.current_step = state, current
        self._saved = self._snapshot()
        return True

    def update_response(self, response):
        self.save()


@dataclass
class StepReview:
    """One step on the check page."""

    name: str
    title: str
    number: int
    url: str
    complete: bool
    rows: list = field(default_factory=list)  # (label, value) pairs
    form: object = None


def display_value(bound_field, value):
    """A cleaned value as the applicant should read it on the check page."""
    form_field = bound_field.field
    if value is None or value == "":
        return _("not given")
    if isinstance(value, bool):
        return yesno(value, str(_("yes,no")))
    if hasattr(form_field, "choices") and not isinstance(form_field, forms.FileField):
        return dict((str(k), v) for k, v in form_field.choices).get(str(value), value)
    if hasattr(value, "year") and hasattr(value, "month"):
        return date_filter(value, "d.m.Y")
    if isinstance(form_field, forms.DecimalField):
        return formats.number_format(value, decimal_pos=form_field.decimal_places, use_l10n=True,
                                     force_grouping=True)
    return value


@functools.cache
def _step_url_format(url_name):
    """The URL format of a wizard's steps (one per wizard, see now_portal.url_formats)."""
    return url_format(url_name)


class ReportWizardView(LoginRequiredMixin, NamedUrlWizardView):
    """Base of the report wizards. A subclass sets `report_type`, `url_name` (the step URL
    name, e.g. "reports:commissioning_step"), `form_list` as (step, form) pairs,
    `step_titles`, optionally `condition_dict`, `step_templates`, and implements
    `save_answers(report, form_dict)` (write the typed columns; called at submission)."""

    report_type: str = ""
    step_titles: dict = {}
    step_templates: dict = {}
    template_name = "reports/wizard/step.html"
    check_template_name = "reports/wizard/check.html"
    # formtools insists on a file storage for forms with file fields; uploads are in
    # fact saved as ReportFiles (see DraftStorage), so it is never used.
    file_storage = default_storage

    @classmethod
    def get_initkwargs(cls, *args, **kwargs):
        kwargs.setdefault("url_name", cls.url_name)
        kwargs.setdefault("done_step_name", CHECK_STEP)
        return super().get_initkwargs(*args, **kwargs)

    @classmethod
    def urls(cls, slug: str) -> list:
        """`reports:<type>` (resume) and `reports:<type>_step` for this wizard."""
        view = cls.as_view()
        return [
            path(f"<int:pk>/{slug}/", view, name=cls.report_type),
            path(f"<int:pk>/{slug}/<str:step>/", view, name=f"{cls.report_type}_step"),
            path(f"<int:pk>/{slug}/<str:step>/hochgeladen/<str:field>/", cls.upload_received,
                 name=f"{cls.report_type}_upload_received"),
        ]

    @classmethod
    def upload_field(cls, step: str, name: str):
        """The upload field `name` of `step`'s form, if its files may come on their own."""
        form_class = dict(cls.form_list).get(step)
        form_field = form_class.base_fields.get(name) if form_class else None
        return form_field if isinstance(form_field, uploads.ReportUploadField) and form_field.direct else None

    @classmethod
    def upload_received(cls, request, pk, step, field):
        """Where S3 sends the browser back after storing a file sent straight to it (see
        `direct_uploads`): the file is checked and kept (or imported) as if it had come
        with the step's form, then the step is shown again, with the reason if refused."""
        if not request.user.is_authenticated:
            raise Http404
        report = get_object_or_404(Report.objects.owned_by(request.user), pk=pk,
                                   type=cls.report_type)
        form_field = cls.upload_field(step, field)
        if form_field is None or not report.accepts_changes or not direct_upload.enabled():
            raise Http404
        key = request.GET.get("key", "")
        try:
            upload = direct_upload.received_file(report, request.user, request.GET.get("token", ""), key)
        except forms.ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            try:
                form_field.receive(report, upload, request.user)
            except forms.ValidationError as error:
                messages.error(request, error.messages[0])
            finally:
                upload.close()
                direct_upload.discard(key)
        back = reverse(cls.url_name, kwargs={"pk": report.pk, "step": step})
        return redirect(back + (f"?{RETURN_TO_CHECK}=1" if RETURN_TO_CHECK in request.GET else ""))

    # --- request handling -----------------------------------------------------------

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.report = owned_report_with_application(kwargs["pk"], request.user)
        if self.report is None or self.report.type != self.report_type:
            raise Http404
        if not self.report.accepts_changes:
            # Submitted (or returned, not yet reopened) reports are read-only, and so are
            # the drafts of a withdrawn application.
            return redirect("reports:detail", self.report.pk)
        self.prefix = self.get_prefix(request, *args, **kwargs)
        self.storage = DraftStorage(self.prefix, request, report=self.report)
        self.steps = StepsHelper(self)
        if request.method not in ("GET", "POST"):
            return self.http_method_not_allowed(request, *args, **kwargs)
        handler = self.get if request.method == "GET" else self.post
        response = handler(request, *args, **kwargs)
        self.storage.update_response(response)
        return response

    def get(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if step is None:
            return redirect(self.resume_url(self.report))
        if step == CHECK_STEP:
            self.storage.current_step = CHECK_STEP
            return self.render_check()
        if step not in self.get_form_list():
            return redirect(self.get_step_url(self.steps.first))
        self.storage.current_step = step
        return self.render(self.get_form(step=step, data=self.storage.get_step_data(step)))

    def post(self, request, *args, **kwargs):
        step = kwargs.get("step")
        if step == CHECK_STEP:
            return self.submit()
        if step not in self.get_form_list():
            return redirect(self.get_step_url(self.steps.first))
        self.storage.current_step = step
        form = self.get_form(step=step, data=request.POST, files=request.FILES)

        if "wizard_back" in request.POST or "wizard_save" in request.POST:
            self.keep_unvalidated(step, form)
            if "wizard_save" in request.POST:
                messages.success(request, _(
                    "Your answers have been saved. You can continue at any time from your overview."
                ))
                return redirect("applications:dashboard")
            previous = self.get_prev_step(step)
            return redirect(self.get_step_url(previous or step))

        if not form.is_valid():
            if self.keep_acceptable_uploads(form):
                # Shown again with the kept file as the field's value, not as lost.
                form = self.get_form(step=step, data=request.POST)
                form.is_valid()
            return self.render(form)
        self.storage.set_step_data(step, self.process_step(form))
        self.keep_uploads(form, form.cleaned_data)
        if hasattr(form, "commit"):
            form.commit(self.report, request.user)
        self.forget_conditions()
        if "wizard_stay" in request.POST:
            # "Add another" on a step (e.g. one more invoice): saved, and the step again.
            return redirect(self.get_step_url(step) + (
                f"?{RETURN_TO_CHECK}=1" if RETURN_TO_CHECK in request.POST else ""
            ))
        if RETURN_TO_CHECK in request.POST:
            # A changed answer may have switched on a step that was never filled in.
            missing = self.first_unanswered_step()
            if missing is not None:
                return self.move_on(missing, f"?{RETURN_TO_CHECK}=1")
            return self.move_on(CHECK_STEP)
        return self.move_on(self.get_next_step(step) or CHECK_STEP)

    def move_on(self, step, query=""):
        """To `step` after an answered one. The draft resumes there from now on: saved
        with the answers (one UPDATE), so showing the step has nothing left to write."""
        self.storage.current_step = step
        return redirect(self.get_step_url(step) + query)

    # --- the draft ------------------------------------------------------------------

    def get_form_step_data(self, form):
        """Only the step's own fields: never the CSRF token or the buttons."""
        prefix = f"{form.prefix}-"
        return {key: values for key, values in form.data.lists() if key.startswith(prefix)}

    def keep_unvalidated(self, step, form):
        """Store what was typed as it is, and any upload that is acceptable on its own."""
        self.storage.set_step_data(step, self.get_form_step_data(form))
        self.keep_acceptable_uploads(form)
        self.forget_conditions()

    def keep_acceptable_uploads(self, form) -> bool:
        """Keep each new upload that passes its own field's checks, whatever the rest of
        the form says: the applicant should not have to choose a good file twice."""
        kept = {}
        for name, form_field in form.fields.items():
            if isinstance(form_field, uploads.ReportUploadField) and form_field.keep_alone:
                # Through the widget: a field that takes several files gets them all.
                upload = form_field.widget.value_from_datadict(
                    form.data, form.files, form.add_prefix(name)
                )
                if upload:
                    try:
                        kept[name] = form_field.clean(upload)
                    except forms.ValidationError:
                        pass  # its error is shown with the form
        self.keep_uploads(form, kept)
        return bool(kept)

    def keep_uploads(self, form, values):
        for name, form_field in form.fields.items():
            upload = values.get(name)
            # Only new uploads: an unchanged field's value is the file already stored.
            # A field may take several files at once (a list of new uploads).
            new = upload if isinstance(upload, list) else [upload]
            if isinstance(form_field, uploads.ReportUploadField) and upload and all(
                isinstance(one, UploadedFile) for one in new
            ):
                form_field.keep(self.report, upload, self.request.user)

    def first_unanswered_step(self):
        form_list = self.get_form_list()
        return next(
            (step for step, form_class in form_list.items()
             if form_class.base_fields and not self.storage.has_step_data(step)),
            None,
        )

    def forget_conditions(self):
        """Stored answers changed: conditions (and cached cleaned data) must be re-read."""
        for name in list(self.__dict__):
            if name in ("_resolved_form_list", "_cache_signature") or name.startswith(
                "_cleaned_data_cache_"
            ):
                delattr(self, name)

    def stored_value(self, step, field_name, default=None):
        """A stored raw answer, for conditions: they must not build forms (formtools
        evaluates conditions while building its form list)."""
        data = self.storage.get_step_data(step)
        if not data:
            return default
        return data.get(f"{step}-{field_name}", default)

    # --- forms ----------------------------------------------------------------------

    def get_step_url(self, step):
        return self.step_url(self.report.pk, step)

    @classmethod
    def step_url(cls, pk, step) -> str:
        return _step_url_format(cls.url_name)(pk, step)

    @classmethod
    def resume_url(cls, report) -> str:
        """Where a draft resumes: the step it was left on, or the first step of a new one.
        Links and redirects go there straight, not through the wizard's step-less URL (one
        request less on a phone). A step the answers now skip sends on to the first."""
        step = report.current_step
        if step != CHECK_STEP and step not in dict(cls.form_list):
            step = cls.form_list[0][0]
        return cls.step_url(report.pk, step)

    def get_form_kwargs(self, step=None):
        return {"report": self.report}

    def get_form(self, step=None, data=None, files=None):
        form = super().get_form(step=step, data=data, files=files)
        if direct_upload.enabled():
            # Files go straight to S3 in forms of their own (API Gateway and Lambda take
            # at most 6 MB a request); the step's form only shows their errors.
            for form_field in form.fields.values():
                if isinstance(form_field, uploads.ReportUploadField) and form_field.direct:
                    form_field.sent_directly = True
        return form

    def direct_uploads(self, form) -> list:
        """For each file field of the step when files go straight to S3: the bound field
        (label, hint, errors) and the fields of its own form that posts to S3."""
        if not direct_upload.enabled():
            return []
        step = self.steps.current
        back_to_check = f"?{RETURN_TO_CHECK}=1" if (
            RETURN_TO_CHECK in self.request.GET or RETURN_TO_CHECK in self.request.POST) else ""
        return [
            DirectUpload(form[name], direct_upload.upload_form(
                self.request, self.report, form_field.kind,
                return_to=reverse(f"reports:{self.report_type}_upload_received",
                                  args=[self.report.pk, step, name]) + back_to_check,
            ))
            for name, form_field in form.fields.items()
            if getattr(form_field, "sent_directly", False)
        ]

    def get_template_names(self):
        return [self.step_templates.get(self.steps.current, self.template_name)]

    def get_context_data(self, form, **kwargs):
        # formtools' context without its management form: the step is in the URL here,
        # and building a form that no template renders costs time of its own.
        context = {"view": self, "form": form, **kwargs, **self.storage.extra_data}
        context["wizard"] = {"form": form, "steps": self.steps, "url_name": self.url_name}
        step = self.steps.current
        context.update(
            report=self.report,
            step_title=self.step_titles.get(step, step),
            step_number=(self.get_step_index(step) or 0) + 1,
            step_count=self.steps.count,
            is_first_step=step == self.steps.first,
            return_to_check=RETURN_TO_CHECK in self.request.GET
            or RETURN_TO_CHECK in self.request.POST,
            return_to_check_name=RETURN_TO_CHECK,
            check_url=self.get_step_url(CHECK_STEP),
            direct_uploads=self.direct_uploads(form),
        )
        return context

    # --- check and submit -----------------------------------------------------------

    def review(self) -> list[StepReview]:
        reviews = []
        for number, step in enumerate(self.get_form_list(), start=1):
            data = self.storage.get_step_data(step)
            review = StepReview(
                name=step,
                title=self.step_titles.get(step, step),
                number=number,
                url=self.get_step_url(step),
                complete=False,
            )
            if data is None and not self.get_form_list()[step].base_fields:
                data = {}  # a step without questions (cards) is judged by what it shows
            if data is not None:
                form = self.get_form(step=step, data=data)
                review.form = form
                review.complete = form.is_valid()
                if review.complete:
                    review.rows = self.summarise(step, form)
            reviews.append(review)
        return reviews

    def summarise(self, step, form) -> list:
        """(label, value) pairs of a valid step for the check page; override per step."""
        return [
            (bound.label, display_value(bound, form.cleaned_data.get(name)))
            for name, bound in ((name, form[name]) for name in form.fields)
            if not isinstance(bound.field, forms.FileField)
        ]

    def render_check(self, status=200, refused=False):
        reviews = self.review()
        context = {
            "report": self.report,
            "reviews": reviews,
            "incomplete": [r for r in reviews if not r.complete],
            "refused": refused,
            "page_has_errors": refused,  # the base layout prefixes the title with "Fehler:"
            "return_to_check_name": RETURN_TO_CHECK,
            "submit_url": self.get_step_url(CHECK_STEP),
        }
        context.update(self.check_context())
        return self.response_class(
            request=self.request, template=[self.check_template_name], context=context,
            using=self.template_engine, status=status,
        )

    def check_context(self) -> dict:
        return {}

    def submit(self):
        reviews = self.review()
        if any(not review.complete for review in reviews):
            return self.render_check(status=400, refused=True)
        form_dict = {review.name: review.form for review in reviews}
        try:
            with transaction.atomic():
                self.save_answers(self.report, form_dict)
                self.storage.current_step = CHECK_STEP  # a reopened report resumes here
                self.storage.save()
                lifecycle.submit(self.report, self.request.user)
        except lifecycle.TransitionNotAllowed as exc:
            self.report.refresh_from_db()
            if self.report.status == ReportStatus.SUBMITTED:  # submitted in another tab
                return redirect("reports:confirmation", self.report.pk)
            messages.error(self.request, str(exc))
            return self.render_check(status=400)
        return redirect("reports:confirmation", self.report.pk)

    def save_answers(self, report, form_dict):
        raise NotImplementedError

    def done(self, form_list, **kwargs):  # formtools' hook; submission is `submit`
        raise Http404
