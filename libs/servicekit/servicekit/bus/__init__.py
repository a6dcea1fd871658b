"""RabbitMQ: topology, publishing, consuming and dead letters (aio-pika)."""
