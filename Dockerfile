FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY workbench ./workbench
COPY archive ./archive
COPY annotate ./annotate
RUN pip install --no-cache-dir .
COPY . .
EXPOSE 8000
CMD ["gunicorn", "workbench.wsgi", "--bind", "0.0.0.0:8000"]
