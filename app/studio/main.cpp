#include <QApplication>
#include <QLabel>
int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QLabel l(QObject::tr("NewBie Studio — no model loaded"));
  l.show();
  return app.exec();
}
