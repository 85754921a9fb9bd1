"""Importing weekly activity (R19 history) from CSV: every row checked, all or nothing, in bulk;
the management command, the upload page (small files at once, large ones by the worker with a
status page) and the uploads refused whole."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from activity import csv_import as activity_import
from activity.csv_import import import_activity, process_stored_import, run_activity_import
from activity.models import ActivityImport, ImportStatus, WeeklyActivity

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TODAY = datetime.date(2026, 3, 11)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 11, 12, 0, tzinfo=STOCKHOLM), tick=False)
    return TODAY


def weeks():
    return {
        (account_id, week.isoformat()): posts
        for account_id, week, posts in WeeklyActivity.objects.values_list("account_id", "week", "posts")
    }


def reasons_by_line(errors):
    found = {}
    for error in errors:
        found.setdefault(error["line"], []).append(error["reason"])
    return found


@pytest.mark.django_db
class TestImport:
    def test_a_swedish_excel_file_with_bom_and_semicolons_imports_every_row(
        self, kommunikator, library_account, social_account, django_assert_max_num_queries
    ):
        text = (
            "\ufeffaccount;week;posts\r\n"
            f"{library_account.pk};2025-W07;3\r\n"
            f"{library_account.url};2025-02-17;0\r\n"
            "\r\n"
            f"{social_account.pk};2026-W11;12\r\n"
        )
        with django_assert_max_num_queries(12):
            result = import_activity(kommunikator, text)
        assert result.ok and (result.rows, result.created, result.updated) == (3, 3, 0)
        assert weeks() == {
            (library_account.pk, "2025-02-10"): 3,
            (library_account.pk, "2025-02-17"): 0,
            (social_account.pk, "2026-03-09"): 12,
        }
        assert WeeklyActivity.objects.filter(logged_by=kommunikator).count() == 3
        assert LogEntry.objects.filter(action=LogEntry.Action.CREATE, actor=kommunikator).count() == 3

    def test_two_bad_rows_import_nothing_and_are_both_reported(self, kommunikator, library_account):
        text = (
            "account,week,posts\n"
            f"{library_account.pk},2025-W07,3\n"
            f"{library_account.pk},2025-W08,många\n"
            f"{library_account.pk},2025-W09,2\n"
            "99999,2025-W10,1\n"
        )
        result = import_activity(kommunikator, text)
        assert not result.ok
        found = reasons_by_line(result.errors)
        assert set(found) == {3, 5}
        assert "många" in found[3][0] and "99999" in found[5][0]
        assert not WeeklyActivity.objects.exists()

    @pytest.mark.parametrize(
        ("week", "posts", "shows"),
        [
            ("2026-W12", "1", "2026-W12"),  # the future
            ("2024-01-14", "1", "2024-W03"),  # the week before the activation (2024-01-15)
            ("2025-W54", "1", "2025-W54"),  # no such week
            ("igår", "1", "igår"),
            ("2025-W07", "-1", None),
            ("2025-W07", "501", "501"),
            ("2025-W07", "1,5", "1,5"),
        ],
    )
    def test_each_kind_of_bad_row_is_refused(self, kommunikator, library_account, week, posts, shows):
        result = import_activity(kommunikator, f"account;week;posts\n{library_account.pk};{week};{posts}\n")
        assert [error["line"] for error in result.errors] == [2]
        if shows:
            assert shows in result.errors[0]["reason"]
        assert not WeeklyActivity.objects.exists()

    def test_the_current_week_and_the_week_of_activation_are_accepted(self, kommunikator, library_account):
        result = import_activity(
            kommunikator, f"account,week,posts\n{library_account.pk},2026-W11,1\n{library_account.pk},2024-01-21,2\n"
        )
        assert result.ok and result.created == 2

    def test_a_duplicate_row_in_the_file_names_the_first_line(self, kommunikator, library_account):
        text = (
            "account,week,posts\n"
            f"{library_account.pk},2025-W07,3\n"
            f"{library_account.url},2025-02-12,4\n"  # the same account and week, by address and date
        )
        result = import_activity(kommunikator, text)
        assert [error["line"] for error in result.errors] == [3]
        assert "2" in result.errors[0]["reason"]
        assert not WeeklyActivity.objects.exists()

    def test_existing_weeks_are_updated_and_audited(self, kommunikator, redaktor, library_account):
        WeeklyActivity.objects.create(
            account=library_account, week=datetime.date(2025, 2, 10), posts=1, logged_by=redaktor, note="Egen"
        )
        text = f"account,week,posts\n{library_account.pk},2025-W07,4\n{library_account.pk},2025-W08,2\n"
        result = import_activity(kommunikator, text)
        assert (result.created, result.updated) == (1, 1)
        updated = WeeklyActivity.objects.get(week=datetime.date(2025, 2, 10))
        assert (updated.posts, updated.note, updated.logged_by) == (4, "Egen", kommunikator)
        entry = LogEntry.objects.get_for_object(updated).get(action=LogEntry.Action.UPDATE)
        assert entry.actor == kommunikator and entry.changes_dict["posts"] == [1, 4]

    def test_a_dry_run_writes_nothing(self, kommunikator, library_account):
        result = import_activity(kommunikator, f"account,week,posts\n{library_account.pk},2025-W07,4\n", dry_run=True)
        assert result.ok and result.rows == 1
        assert not WeeklyActivity.objects.exists()

    def test_only_comms_may_import(self, redaktor, chef, kommunikator_utan_mfa, library_account):
        for user in (redaktor, chef, kommunikator_utan_mfa):
            with pytest.raises(PermissionDenied):
                import_activity(user, f"account,week,posts\n{library_account.pk},2025-W07,4\n")

    def test_a_file_without_the_header_is_refused_whole(self, kommunikator, library_account):
        with pytest.raises(activity_import.ImportFileError):
            import_activity(kommunikator, f"{library_account.pk},2025-W07,4\n")


@pytest.mark.django_db
class TestCommand:
    def write(self, tmp_path, text):
        path = tmp_path / "aktivitet.csv"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def test_imports_and_summarises(self, tmp_path, kommunikator, library_account):
        out = StringIO()
        path = self.write(tmp_path, f"account;week;posts\n{library_account.pk};2025-W07;4\n")
        call_command("import_activity", path, "--as", kommunikator.email, stdout=out)
        assert "1 rows imported: 1 weeks added, 0 weeks updated" in out.getvalue()
        assert WeeklyActivity.objects.count() == 1

    def test_errors_with_line_numbers_and_a_failing_exit(self, tmp_path, kommunikator, library_account):
        err = StringIO()
        path = self.write(tmp_path, f"account,week,posts\n{library_account.pk},2025-W07,4\nx,2025-W07,1\n")
        with pytest.raises(CommandError) as failed:
            call_command("import_activity", path, "--as", kommunikator.email, stderr=err)
        assert "aktivitet.csv:3:" in err.getvalue()
        assert "1 of 2 rows" in str(failed.value)
        assert not WeeklyActivity.objects.exists()
        # manage.py turns a CommandError into exit status 1.
        with pytest.raises(SystemExit) as exited:
            from django.core.management import ManagementUtility

            ManagementUtility(["manage.py", "import_activity", path, "--as", kommunikator.email]).execute()
        assert exited.value.code == 1

    def test_dry_run_and_a_user_who_may_not(self, tmp_path, kommunikator, redaktor, library_account):
        path = self.write(tmp_path, f"account,week,posts\n{library_account.pk},2025-W07,4\n")
        out = StringIO()
        call_command("import_activity", path, "--dry-run", "--as", kommunikator.email, stdout=out)
        assert "dry run" in out.getvalue() and not WeeklyActivity.objects.exists()
        with pytest.raises(CommandError, match="may not import"):
            call_command("import_activity", path, "--as", redaktor.email)


def upload(text: str | bytes, name="aktivitet.csv"):
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, content_type="text/csv")


@pytest.mark.django_db
class TestUploadPage:
    url = reverse("activity:import")

    def test_only_comms(self, client, redaktor, library_account):
        client.force_login(redaktor)
        assert client.get(self.url).status_code == 403
        response = client.post(self.url, {"file": upload(f"account,week,posts\n{library_account.pk},2025-W07,4\n")})
        assert response.status_code == 403
        assert not WeeklyActivity.objects.exists()

    def test_a_small_file_is_imported_at_once(self, client, kommunikator, library_account):
        client.force_login(kommunikator)
        assert b'type="file"' in client.get(self.url).content
        response = client.post(
            self.url, {"file": upload(f"account;week;posts\n{library_account.pk};2025-W07;4\n")}, follow=True
        )
        assert response.redirect_chain[-1][0] == self.url
        assert WeeklyActivity.objects.count() == 1
        assert not ActivityImport.objects.exists()

    def test_a_small_file_with_errors_lists_them_and_escapes_the_input(self, client, kommunikator, library_account):
        client.force_login(kommunikator)
        text = f"account,week,posts\n{library_account.pk},2025-W07,<b>4</b>\n<script>x</script>,2025-W07,1\n"
        response = client.post(self.url, {"file": upload(text)})
        assert response.status_code == 200
        content = response.content.decode()
        assert "<td>2</td>" in content and "<td>3</td>" in content
        assert "<script>x</script>" not in content and "&lt;script&gt;x&lt;/script&gt;" in content
        assert not WeeklyActivity.objects.exists()

    def test_a_large_file_goes_to_the_worker_with_a_status_page(
        self, client, kommunikator, library_account, monkeypatch, django_capture_on_commit_callbacks
    ):
        monkeypatch.setattr("activity.views.SYNC_ROW_LIMIT", 2)
        queued = []
        monkeypatch.setattr(run_activity_import, "delay", lambda pk: queued.append(pk))
        client.force_login(kommunikator)
        text = "account,week,posts\n" + "".join(f"{library_account.pk},2025-W{n:02d},{n}\n" for n in range(1, 6))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(self.url, {"file": upload(text)})
        job = ActivityImport.objects.get()
        assert response.url == reverse("activity:import_status", args=[job.pk])
        assert queued == [job.pk]
        assert (job.status, job.total_rows, job.created_by) == (ImportStatus.PENDING, 5, kommunikator)

        waiting = client.get(response.url).content.decode()
        # Progress without reloading the page (WCAG 2.2.1): a script polls the page itself.
        assert "http-equiv" not in waiting and "js/progress.js" in waiting
        assert f'data-poll="{response.url}"' in waiting and f'<a href="{response.url}">Uppdatera sidan</a>' in waiting
        assert '<progress id="import-progress" max="5" value="0">' in waiting

        run_activity_import.apply(args=[job.pk])
        job.refresh_from_db()
        assert (job.status, job.processed_rows, job.created_rows) == (ImportStatus.DONE, 5, 5)
        assert WeeklyActivity.objects.count() == 5
        done = client.get(response.url).content.decode()
        assert "http-equiv" not in done and "<progress" not in done
        assert "5" in done
        assert process_stored_import(job.pk).created_rows == 5  # running it again changes nothing
        assert WeeklyActivity.objects.count() == 5

    def test_a_stored_import_with_errors_shows_them(self, client, kommunikator, library_account):
        job = ActivityImport.objects.create(
            file_name="stor.csv",
            content=f"account,week,posts\n{library_account.pk},2025-W07,4\n{library_account.pk},2025-W08,x\n",
            total_rows=2,
            created_by=kommunikator,
        )
        process_stored_import(job.pk)
        job.refresh_from_db()
        assert job.status == ImportStatus.FAILED and [e["line"] for e in job.errors] == [3]
        client.force_login(kommunikator)
        content = client.get(reverse("activity:import_status", args=[job.pk])).content.decode()
        assert "<td>3</td>" in content and "”x” är inte ett heltal inlägg" in content
        assert not WeeklyActivity.objects.exists()

    def test_an_oversized_upload_is_refused(self, client, kommunikator, library_account, settings):
        settings.ACTIVITY_IMPORT_MAX_BYTES = 40
        client.force_login(kommunikator)
        text = "account,week,posts\n" + "".join(f"{library_account.pk},2025-W{n:02d},1\n" for n in range(1, 9))
        response = client.post(self.url, {"file": upload(text)})
        assert response.status_code == 200
        assert response.context["form"].errors["file"]
        assert not WeeklyActivity.objects.exists() and not ActivityImport.objects.exists()

    @pytest.mark.parametrize(
        "data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "account,week,posts\n1,2025-W07,1\n".encode("utf-16")]
    )
    def test_a_binary_upload_is_refused(self, client, kommunikator, library_account, data):
        client.force_login(kommunikator)
        response = client.post(self.url, {"file": upload(data, "bild.csv")})
        assert response.status_code == 200
        assert response.context["form"].errors["file"]
        assert not WeeklyActivity.objects.exists() and not ActivityImport.objects.exists()

    def test_the_status_page_is_for_comms(self, client, redaktor, kommunikator):
        job = ActivityImport.objects.create(file_name="a.csv", content="", created_by=kommunikator)
        client.force_login(redaktor)
        assert client.get(reverse("activity:import_status", args=[job.pk])).status_code == 403
