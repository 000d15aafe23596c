"""Two app servers behind nginx, on one PostgreSQL and one Redis, behave as one site.

The cluster is bench/cluster.py's, started once for the module from the files the README tells a
city to install (bench/deploy/: the nginx site, the systemd unit's command, the environment file),
with a throwaway PostgreSQL and Redis. Every check goes through the real HTTP stack: the login form
with its CSRF token, cookies, gunicorn, nginx. It runs in the pass without TEST_DATABASE_URL (it
owns its PostgreSQL, so the PostgreSQL pass would only repeat it). `REQUIRE_CLUSTER=1` (set by
.ci/run) turns a missing nginx, redis-server or PostgreSQL into a failure instead of a skip.
"""

from __future__ import annotations

import os

import pytest

from bench import cluster
from tests import helpers

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def running():
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the cluster owns a throwaway PostgreSQL: it runs in the pass without TEST_DATABASE_URL")
    if why := cluster.missing():
        helpers.missing(why, "REQUIRE_CLUSTER")
    with cluster.cluster() as c:
        yield c


def test_a_login_made_on_one_server_is_valid_on_the_other_and_through_nginx(running):
    print(cluster.check_login_shared(running))


def test_failed_logins_over_both_servers_are_refused_after_the_limit_in_total(running):
    print(cluster.check_login_limit(running))


def test_a_course_imported_while_both_run_is_served_by_both_at_once(running):
    print(cluster.check_course_import(running))


def test_a_logout_on_one_server_ends_the_session_on_both(running):
    print(cluster.check_logout(running))


def test_the_exam_scenario_runs_through_nginx_with_nothing_lost(running):
    if not cluster.EXAM_DAY.exists():
        pytest.skip("bench/exam_day.py does not exist (it comes from the exam-day branch)")
    print(cluster.check_exam(running))


def test_nginx_spreads_requests_over_both_servers_and_skips_a_stopped_one(running):
    print(cluster.check_round_robin(running))
