"""Closed incident groups in Chromium, with axe on every page (error states included); posting, replying and
inviting done with the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from respond.groups.models import GroupMember, MemberStatus, Post
from tests.browser.test_responding import become, press, tab_to
from tests.groups.setup import text_file, write_post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_group_page_passes_axe_including_errors(page, live_server, group, morgan, mel, alice, group_files):
    post = write_post(group, mel, title="Encrypted shares", body="**Seen** at 10:02", uploads=[text_file()],
                      indicators="192.0.2.5")  # fmt: skip
    reply = write_post(group, morgan, body="Thanks", parent=post)
    browser = page.page
    become(page, live_server, morgan)
    base = f"/groups/{group.pk}"
    for path in (
        "/groups/",
        "/groups/open/",
        f"{base}/",
        f"{base}/posts/new/",
        f"{base}/posts/{post.pk}/",
        f"{base}/posts/{post.pk}/edit/",
        f"{base}/posts/{reply.pk}/edit/",
        f"{base}/posts/{post.pk}/history/",
        f"{base}/posts/{post.pk}/pin/",
        f"{base}/posts/{post.pk}/urgent/",
        f"{base}/posts/{post.pk}/delete/",
        f"{base}/members/",
        f"{base}/members/invite/",
        f"{base}/members/{GroupMember.objects.get(group=group, user=mel).pk}/remove/",
        f"{base}/members/{GroupMember.objects.get(group=group, user=morgan).pk}/role/",
        f"{base}/close/",
        f"{base}/leave/",
    ):
        page.visit(path)
    # Error states: each form sent empty or wrong.
    page.visit("/groups/open/")
    page.click(browser.get_by_role("button", name="Open the group"))
    expect(browser).to_have_title(re.compile(r"^Error: "))
    page.visit(f"{base}/posts/new/")
    page.click(browser.get_by_role("button", name="Publish to the group"))
    expect(browser.get_by_role("alert")).to_contain_text("Enter a title for the post")
    page.visit(f"{base}/posts/{post.pk}/")
    page.click(browser.get_by_role("button", name="Publish reply"), status=400)
    expect(browser.get_by_role("alert")).to_contain_text("Enter the reply")
    page.visit(f"{base}/members/invite/")
    browser.get_by_label("Administrators of these organisations, by ODS code").fill("ZZZ99")
    page.click(browser.get_by_role("button", name="Send invitations"))
    expect(browser.get_by_role("alert")).to_contain_text("Line 1: ZZZ99 is not the ODS code of an open organisation")
    page.visit(f"{base}/posts/{post.pk}/edit/")
    browser.get_by_label("Post", exact=True).fill("")
    page.click(browser.get_by_role("button", name="Save changes"))
    expect(browser.get_by_role("alert")).to_contain_text("Enter the post")
    # A closed group's pages, and the page that says it is read-only.
    page.visit(f"{base}/close/")
    page.click(browser.get_by_role("button", name="Close the group"))
    expect(browser.get_by_role("main")).to_contain_text("read-only")
    page.visit(f"{base}/posts/new/", status=409)
    page.visit(f"{base}/members/")
    # Outsiders see the ordinary 404 page, and the invitation page for someone invited.
    GroupMember.objects.create(group=group, user=alice, email=alice.email, status=MemberStatus.INVITED)
    become(page, live_server, alice)
    page.visit(f"{base}/", status=404)
    page.visit("/groups/")


def test_inviting_accepting_posting_and_replying_with_the_keyboard(page, live_server, group, morgan, alice, trust_a):
    browser = page.page
    become(page, live_server, morgan)
    page.visit(f"/groups/{group.pk}/members/invite/")
    tab_to(page, browser.get_by_label("Administrators of these organisations, by ODS code"))
    browser.keyboard.type("RAA")
    tab_to(page, browser.get_by_role("button", name="Send invitations"))
    press(page, "Enter")
    expect(browser.get_by_role("main")).to_contain_text("1 person invited")
    expect(browser.get_by_role("table", name=re.compile("Invited, not yet answered"))).to_contain_text("Alice Admin")

    become(page, live_server, alice)
    page.visit("/groups/")
    tab_to(page, browser.get_by_role("link", name="Answer the invitation to WannaCry response"))
    press(page, "Enter")
    tab_to(page, browser.get_by_label("Yes, join the group"))
    browser.keyboard.press("Space")
    tab_to(page, browser.get_by_role("button", name="Continue"))
    press(page, "Enter")
    expect(browser.get_by_role("heading", level=1)).to_have_text("WannaCry response")

    tab_to(page, browser.get_by_role("button", name="Write a post"))
    press(page, "Enter")
    tab_to(page, browser.get_by_label("Title"))
    browser.keyboard.type("Phishing wave at RAA")
    tab_to(page, browser.get_by_label("Post", exact=True))
    browser.keyboard.type("Emails from a lookalike domain.")
    tab_to(page, browser.get_by_label("TLP:AMBER+STRICT"))  # the group's default: Tab stops on the checked radio
    browser.keyboard.press("ArrowDown")
    expect(browser.get_by_label("TLP:RED")).to_be_checked()
    tab_to(page, browser.get_by_label("Indicators of compromise"))
    browser.keyboard.type("lookalike-nhs[.]example")
    tab_to(page, browser.get_by_role("button", name="Publish to the group"))
    press(page, "Enter")
    expect(browser.get_by_role("heading", level=1)).to_have_text("Phishing wave at RAA")
    post = Post.objects.get(title="Phishing wave at RAA")
    assert (post.author, post.marking, post.indicators.get().value) == (alice, "red", "lookalike-nhs.example")

    tab_to(page, browser.get_by_label("Your reply"))
    browser.keyboard.type("Blocked at the gateway.")
    tab_to(page, browser.get_by_role("button", name="Publish reply"))
    press(page, "Enter")
    expect(browser.get_by_role("main")).to_contain_text("Blocked at the gateway.")
    assert Post.objects.get(parent=post).body == "Blocked at the gateway."
