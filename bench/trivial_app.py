"""The baseline for bench/lesson_page.py: the smallest Flask route, served the same way."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "ok"
