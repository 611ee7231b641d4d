"""Reading customers' e-mail: real messages built with the standard `email` package, as a mail server hands them over."""

from __future__ import annotations

from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from agentdesk.domain.mail import case_number_in, compose, read_mail
from agentdesk.domain.mail_text import html_to_text


def _plain(subject: str = "My order never came", body: str = "Hello, where is it?", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Ada Lovelace <Ada@Example.org>"
    message["To"] = "support@acme.example"
    message["Subject"] = subject
    message["Date"] = "Thu, 03 Dec 2026 09:15:00 +0000"
    message["Message-ID"] = "<first@example.org>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def test_a_plain_message_gives_sender_subject_body_and_thread_ids() -> None:
    mail = read_mail(_plain())
    assert mail.readable and mail.sender == "ada@example.org" and mail.sender_name == "Ada Lovelace"
    assert mail.to == ("support@acme.example",)
    assert mail.subject == "My order never came" and mail.body == "Hello, where is it?"
    assert mail.message_id == "<first@example.org>" and mail.date == "2026-12-03T09:15:00+00:00"
    assert not mail.automatic and mail.case_number is None


def test_multipart_prefers_the_plain_text_and_lists_attachments_with_a_size_cap() -> None:
    message = MIMEMultipart("mixed")
    message["From"], message["To"], message["Subject"] = "bob@example.org", "support@acme.example", "Invoice"
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText("The plain words.", "plain"))
    alternative.attach(MIMEText("<p>The <b>HTML</b> words.</p>", "html"))
    message.attach(alternative)
    small = MIMEApplication(b"%PDF-1.4 small", "pdf")
    small.add_header("Content-Disposition", "attachment", filename="invoice.pdf")
    big = MIMEApplication(b"x" * 5000, "octet-stream")
    big.add_header("Content-Disposition", "attachment", filename="photo.raw")
    message.attach(small)
    message.attach(big)
    mail = read_mail(message.as_bytes(), attachment_cap=1000)
    assert mail.body == "The plain words."
    assert [(a.name, a.content_type, a.size) for a in mail.attachments] == [
        ("invoice.pdf", "application/pdf", 14), ("photo.raw", "application/octet-stream", 5000)]
    assert mail.attachments[0].content == b"%PDF-1.4 small" and mail.attachments[1].content is None


def test_html_only_mail_becomes_plain_words_with_link_domains_and_no_remote_content() -> None:
    markup = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>Please <a href='https://evil.example.net/login?x=1'>click here</a> to see my bill.</p>"
        "<img src='https://tracker.example.com/pixel.gif' alt=''><img src='cid:logo' alt='Our logo'>"
        "<ul><li>one</li><li>two &amp; three</li></ul></body></html>"
    )
    message = MIMEText(markup, "html")
    message["From"], message["Subject"] = "carol@example.org", "Bill"
    mail = read_mail(message.as_bytes())
    assert mail.body == "Please click here (evil.example.net) to see my bill.\n[image: Our logo]\n\n- one\n- two & three"
    assert "<" not in mail.body and "tracker" not in mail.body and "alert" not in mail.body


def test_a_link_whose_words_already_show_its_domain_is_not_repeated() -> None:
    assert html_to_text("<a href='https://shop.example'>shop.example</a>") == "shop.example"


def test_non_utf8_charsets_are_read_and_a_wrong_charset_does_not_fail() -> None:
    latin = MIMEText("Grüße, où est ma commande ?", "plain", "iso-8859-1")
    latin["From"], latin["Subject"] = "dora@example.org", "=?iso-8859-1?q?Commande_re=E7ue?="
    mail = read_mail(latin.as_bytes())
    assert mail.body == "Grüße, où est ma commande ?" and mail.subject == "Commande reçue"
    lying = (b"From: eve@example.org\r\nSubject: hi\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\n"
             b"caf\xe9 cr\xe8me\r\n")
    assert read_mail(lying).body.startswith("café crème")


def test_a_huge_message_is_cut_for_reading_and_says_so() -> None:
    mail = read_mail(_plain(body="word " * 400_000))
    assert mail.readable and len(mail.body) < 1_100_000
    assert mail.body.endswith("the whole of it is kept with the ticket.]")


def test_malformed_and_empty_messages_say_so_and_never_raise() -> None:
    empty = read_mail(b"")
    assert not empty.readable and empty.problem == "The message is empty."
    garbage = read_mail(b"\x00\xff\xfe not a mail at all \x80\x81")
    assert not garbage.readable and garbage.problem == "The message has no headers; it may be damaged."
    assert "not a mail at all" in garbage.body  # whatever words there are stay visible to the agent
    broken = read_mail(b"From: <<<>>>\r\nSubject: =?utf-8?b?!!!?=\r\nMessage-ID: nonsense\r\n"
                       b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi")
    assert broken.readable and broken.sender is None and broken.message_id is None and "hi" in broken.body


def test_a_reply_chain_gives_the_case_number_and_the_ids_it_answers_nearest_first() -> None:
    mail = read_mail(_plain(subject="Re: [cs-7kq2m-00z] My order never came", In_Reply_To="<ack@acme.example>",
                            References="<first@example.org> <ack@acme.example>"))
    assert mail.case_number == "CS-7KQ2M-00Z"
    assert mail.thread_ids == ("<ack@acme.example>", "<first@example.org>")
    assert case_number_in("CS-7KQ2M-00Z without brackets") is None


def test_auto_replies_and_bulk_mail_are_automatic_but_auto_submitted_no_is_a_person() -> None:
    assert read_mail(_plain(Auto_Submitted="auto-replied")).automatic
    assert read_mail(_plain(Precedence="bulk")).automatic_why == "Precedence: bulk"
    assert read_mail(_plain(X_Loop="support@acme.example")).automatic
    assert not read_mail(_plain(Auto_Submitted="no")).automatic
    vacation = compose(sender="x@example.org", to="support@acme.example", subject="Out of office", body="Away",
                       message_id="<v@example.org>", automatic=True)
    assert read_mail(vacation.as_bytes()).automatic


def test_a_bounce_is_automatic_and_names_the_mail_that_bounced() -> None:
    original = compose(sender="support@acme.example", to="gone@example.org", subject="[CS-7KQ2M-00Z] Thanks",
                       body="We have your case.", message_id="<ack-1@acme.example>")
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.org>"
    report["To"], report["Subject"] = "support@acme.example", "Undelivered Mail Returned to Sender"
    report.attach(MIMEText("The mail could not be delivered: user unknown.", "plain"))
    status = EmailMessage()
    status.set_content("Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; gone@example.org\nStatus: 5.1.1\n")
    report.attach(MIMEText("Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\n", "plain"))
    from email.mime.message import MIMEMessage
    report.attach(MIMEMessage(original))
    mail = read_mail(report.as_bytes())
    assert mail.automatic and mail.automatic_why == "a delivery report (bounce)"
    assert mail.bounce_of == ("<ack-1@acme.example>",)
    assert "user unknown" in mail.body
